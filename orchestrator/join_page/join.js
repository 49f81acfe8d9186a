// The join page: a guest with an invite joins a meetbridge room from the browser.
//
// The invite's token comes in the link's fragment (never sent to a server), is kept
// in this tab's sessionStorage and leaves the address bar at once; it travels only in
// the X-Meetbridge-Invite header. Media goes through meetbridge's signalling proxy
// (/v1/invites/janus, Janus's REST API narrowed to this room): the guest's voice and
// the others' mix through the room's AudioBridge, the guest's camera and each
// meeting's stage through its VideoRoom. The proxy adds the room, its pin and the
// guest's name; the page never knows them. In the room the guest can mute, turn the
// camera off (the others then see a picture of the guest's name) and leave.
"use strict";

(function () {
  const HEADER = "X-Meetbridge-Invite";
  const STORE = "meetbridge-invite";
  const TITLES = {
    unknown: "This invite link is not valid",
    expired: "This invite has expired",
    revoked: "This invite was withdrawn",
    room_closed: "This room has closed",
  };
  // What tests (and curious people) can read of the page's progress.
  const state = (window.meetbridgeJoin = {
    phase: "checking", // checking | problem | lobby | joining | joined | left
    problem: null,
    audio: "off", // off | joining | joined | connected
    video: "off", // off | joining | published | unavailable
    feeds: {}, // feed id -> {display, label}
    muted: false,
    camera: "on", // on | off: off sends a picture of the name instead of the camera
  });

  const $ = (id) => document.getElementById(id);
  let token = "";
  let invite = null;
  let janus = null;
  let name = "";
  let mixer = null; // the AudioBridge handle
  let microphone = null; // the microphone's track, as sent
  let publisher = null; // the VideoRoom handle publishing the camera
  let cameraSize = {}; // the camera's width and height, for the picture that replaces it
  let placard = null; // {track, stop} while the camera is off

  function readToken() {
    const fromLink = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (fromLink) {
      sessionStorage.setItem(STORE, fromLink);
      history.replaceState(null, "", window.location.pathname); // out of the address bar
      return fromLink;
    }
    return sessionStorage.getItem(STORE) || "";
  }

  function show(section) {
    for (const id of ["checking", "problem", "lobby", "room"]) $(id).hidden = id !== section;
  }

  function problem(reason, detail) {
    state.phase = "problem";
    state.problem = reason;
    $("problem-title").textContent = TITLES[reason] || "Something went wrong";
    $("problem-detail").textContent = detail || "";
    show("problem");
    if (janus) {
      const ending = janus;
      janus = null;
      ending.destroy({ notifyDestroyed: false });
    }
  }

  // Every request of the page and of janus.js carries the invite, in a header.
  async function invited(url, options) {
    options = options || {};
    const headers = Object.assign({}, options.headers, { [HEADER]: token });
    const response = await window.fetch(url, Object.assign({}, options, { headers }));
    if (response.status === 401 || response.status === 410) {
      const body = await response.clone().json().catch(() => ({}));
      problem(body.reason || "unknown", body.detail);
    }
    return response;
  }

  function label(display) {
    const meeting = invite.meetings.find((m) => m.bot_id === display);
    if (meeting) return `${meeting.title} meeting`;
    const guest = /^participant:inv_[0-9a-f]+:(.*)$/s.exec(display || "");
    return guest ? guest[1] : "Someone";
  }

  async function check() {
    token = readToken();
    if (!token) return problem("unknown", "The link has no invite in it.");
    let response;
    try {
      response = await invited("/v1/invites/check", { method: "POST" });
    } catch (error) {
      return problem("network", "meetbridge cannot be reached. Try again in a moment.");
    }
    if (!response.ok) {
      if (state.phase !== "problem") problem("network", "The invite could not be checked.");
      return;
    }
    invite = await response.json();
    const list = $("meetings");
    list.replaceChildren();
    for (const meeting of invite.meetings) {
      const item = document.createElement("li");
      item.textContent = `${meeting.title} meeting `;
      const status = document.createElement("span");
      status.className = "state";
      status.textContent = `(${meeting.state.replace("_", " ")})`;
      item.append(status);
      list.append(item);
    }
    if (invite.meetings.length === 0) {
      const item = document.createElement("li");
      item.textContent = "No meeting is in the room yet.";
      list.append(item);
    }
    if (invite.display_name) {
      $("name").value = invite.display_name;
      $("name").readOnly = true;
    }
    const until = new Date(invite.expires_at);
    $("expires").textContent = `This invite works until ${until.toLocaleString()}.`;
    state.phase = "lobby";
    show("lobby");
  }

  function status(text) {
    $("status").textContent = text;
  }

  function join(event) {
    event.preventDefault();
    name = $("name").value.trim();
    if (!name) return;
    $("join").disabled = true;
    state.phase = "joining";
    show("room");
    status("Joining…");
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies({ fetch: invited }),
      callback: () => connect(),
    });
  }

  function connect() {
    janus = new Janus({
      server: `${window.location.origin}/v1/invites/janus`,
      iceServers: invite.ice_servers,
      success: () => {
        joinAudio();
        joinVideo();
      },
      error: (error) => {
        if (state.phase !== "problem") status(`The connection to the room failed: ${error}`);
      },
      destroyed: () => {
        if (state.phase === "joined" || state.phase === "joining") {
          state.phase = "left";
          status("You left the room.");
        }
      },
    });
  }

  function joinAudio() {
    state.audio = "joining";
    janus.attach({
      plugin: "janus.plugin.audiobridge",
      success: (handle) => {
        mixer = handle;
        mixer.send({ message: { request: "join", display: name } });
      },
      error: (error) => status(`The room's sound is unavailable: ${error}`),
      onmessage: (message, jsep) => {
        if (message.audiobridge === "joined" && !mixer.webrtcStuff.pc) {
          state.audio = "joined";
          mixer.createOffer({
            tracks: [{ type: "audio", capture: true, recv: true }],
            success: (offer) =>
              mixer.send({ message: { request: "configure", muted: state.muted }, jsep: offer }),
            error: (error) => status(`Your microphone is unavailable: ${error.message || error}`),
          });
        }
        if (jsep) mixer.handleRemoteJsep({ jsep });
      },
      iceState: (ice) => {
        if (ice === "connected" || ice === "completed") {
          state.audio = "connected";
          $("mute").disabled = false;
          joined();
        }
      },
      onlocaltrack: (track, on) => {
        if (track.kind !== "audio" || !on) return;
        microphone = track;
        microphone.enabled = !state.muted;
      },
      onremotetrack: (track, mid, on) => {
        if (track.kind === "audio" && on) $("mix").srcObject = new MediaStream([track]);
      },
    });
  }

  function joinVideo() {
    state.video = "joining";
    janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        publisher = handle;
        publisher.send({ message: { request: "join", ptype: "publisher", display: name } });
      },
      error: (error) => status(`The room's video is unavailable: ${error}`),
      onmessage: (message, jsep) => {
        if (message.videoroom === "joined") {
          publisher.createOffer({
            tracks: [{ type: "video", capture: true, recv: false }],
            success: (offer) =>
              publisher.send({
                message: { request: "configure", audio: false, video: true },
                jsep: offer,
              }),
            error: () => {
              state.video = "unavailable"; // no camera: the others still see the meetings
              describeSelf();
            },
          });
        }
        for (const feed of message.publishers || []) subscribe(feed);
        const gone = message.unpublished || message.leaving;
        if (gone && gone !== "ok") unsubscribe(gone);
        if (jsep) {
          publisher.handleRemoteJsep({ jsep });
          state.video = "published";
          $("camera").disabled = false;
        }
      },
      onlocaltrack: (track, on) => {
        if (track.kind !== "video" || !on) return;
        $("self-view").srcObject = new MediaStream([track]); // what the others see
        if (!placard || track !== placard.track) cameraSize = track.getSettings();
      },
    });
  }

  const subscribers = {};

  function subscribe(feed) {
    if (subscribers[feed.id] || !(feed.streams || []).some((s) => s.type === "video")) return;
    const figure = document.createElement("figure");
    figure.dataset.feed = String(feed.id);
    figure.dataset.display = feed.display || "";
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;
    const caption = document.createElement("figcaption");
    caption.textContent = label(feed.display);
    figure.append(video, caption);
    $("stages").append(figure);
    state.feeds[feed.id] = { display: feed.display, label: caption.textContent };
    let handle = null;
    janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (attached) => {
        handle = attached;
        subscribers[feed.id] = { handle, figure };
        handle.send({
          message: { request: "join", ptype: "subscriber", streams: [{ feed: feed.id }] },
        });
      },
      onmessage: (message, jsep) => {
        if (!jsep) return;
        handle.createAnswer({
          jsep,
          tracks: [{ type: "data" }],
          success: (answer) => handle.send({ message: { request: "start" }, jsep: answer }),
          error: (error) => status(`A video could not be received: ${error.message || error}`),
        });
      },
      onremotetrack: (track, mid, on) => {
        if (track.kind === "video" && on) video.srcObject = new MediaStream([track]);
      },
    });
  }

  function unsubscribe(id) {
    const subscriber = subscribers[id];
    if (!subscriber) return;
    delete subscribers[id];
    delete state.feeds[id];
    subscriber.figure.remove();
    subscriber.handle.detach();
  }

  function joined() {
    if (state.phase !== "joining") return;
    state.phase = "joined";
    status("You are in the room.");
  }

  // Muting is done twice over: the microphone's track is disabled, so the browser
  // sends silence (nothing of the guest's voice leaves the page), and the AudioBridge
  // is told, so it leaves the guest out of the room's mix and shows them muted.
  function setMuted(muted) {
    state.muted = muted;
    if (microphone) microphone.enabled = !muted;
    if (mixer) {
      mixer.send({
        message: { request: "configure", muted },
        error: (error) => status(`The room was not told: ${error}`),
      });
    }
    $("mute").setAttribute("aria-pressed", String(muted));
    describeSelf();
    status(muted ? "You are muted: nobody hears you." : "You are unmuted: the room hears you.");
  }

  // Camera off stops the camera (its light goes out) and sends a still picture of the
  // guest's name in its place. The feed stays published, so the meetings' bots keep
  // their layout and show the name where the guest was; a track merely stopped or
  // disabled would leave them the last frame, or black. Camera on opens it again.
  async function setCamera(off) {
    const button = $("camera");
    button.disabled = true;
    const next = off ? namePicture(name, cameraSize.width, cameraSize.height) : null;
    try {
      await sendVideo(off ? next.track : true); // janus.js stops the track it replaces
      if (placard) placard.stop();
      placard = next;
      state.camera = off ? "off" : "on";
      button.setAttribute("aria-pressed", String(off));
      describeSelf();
      status(off ? "Your camera is off: the room sees your name." : "Your camera is on.");
    } catch (error) {
      if (next) next.stop();
      const what = off ? "off" : "on";
      status(`The camera could not be turned ${what}: ${(error && error.message) || error}`);
    } finally {
      button.disabled = state.phase === "left";
    }
  }

  /** Send `capture` (a track, or true: the camera) on the published video, in place. */
  function sendVideo(capture) {
    return new Promise((resolve, reject) =>
      publisher.replaceTracks({
        tracks: [{ type: "video", capture, recv: false }],
        success: resolve,
        error: reject,
      }),
    );
  }

  /** A video track showing `who` and "Camera off", the camera's size. */
  function namePicture(who, width, height) {
    const canvas = document.createElement("canvas");
    canvas.width = width || 640;
    canvas.height = height || 360;
    const context = canvas.getContext("2d");
    const w = canvas.width;
    const h = canvas.height;
    const draw = () => {
      context.fillStyle = "#2b3140";
      context.fillRect(0, 0, w, h);
      context.fillStyle = "#4a5568";
      context.beginPath();
      context.arc(w / 2, h * 0.4, h * 0.17, 0, 2 * Math.PI);
      context.fill();
      context.fillStyle = "#ffffff";
      context.textAlign = "center";
      context.textBaseline = "middle";
      context.font = `600 ${Math.round(h * 0.16)}px system-ui, sans-serif`;
      context.fillText((who.trim()[0] || "?").toUpperCase(), w / 2, h * 0.41);
      context.font = `${Math.round(h * 0.08)}px system-ui, sans-serif`;
      context.fillText(who, w / 2, h * 0.7, w * 0.9);
      context.fillStyle = "#c3cad6";
      context.font = `${Math.round(h * 0.06)}px system-ui, sans-serif`;
      context.fillText("Camera off", w / 2, h * 0.82);
    };
    draw();
    const track = canvas.captureStream(5).getVideoTracks()[0];
    // A canvas gives a frame only when drawn on: keep drawing so the picture keeps
    // coming (a receiver that sees no frames keeps the last one it had).
    const timer = setInterval(draw, 250);
    return {
      track,
      stop: () => {
        clearInterval(timer);
        track.stop();
      },
    };
  }

  function describeSelf() {
    const notes = [];
    if (state.muted) notes.push("muted");
    if (state.video === "unavailable") notes.push("no camera");
    else if (state.camera === "off") notes.push("camera off");
    $("self-caption").textContent = ["You", ...notes].join(" · ");
  }

  function leave() {
    state.phase = "left";
    status("You left the room.");
    if (janus) janus.destroy();
    janus = null;
    if (placard) placard.stop();
    placard = null;
    for (const id of ["leave", "mute", "camera"]) $(id).disabled = true;
  }

  $("join-form").addEventListener("submit", join);
  $("mute").addEventListener("click", () => setMuted(!state.muted));
  $("camera").addEventListener("click", () => setCamera(state.camera === "on"));
  $("leave").addEventListener("click", leave);
  check();
})();
