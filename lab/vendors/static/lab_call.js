// The call behind every reconstructed vendor page: a Janus VideoRoom on the lab's
// Janus (reached through the page's own origin, /lab/janus/<meeting>). The vendor's
// page draws what this reports in its own way: one tile per remote participant, and
// one <audio> per remote audio track, as the vendors whose clients are reconstructed
// play remote speakers. Not any vendor's code: the lab's own, for the lab's pages.
/* global Janus */
(() => {
  const PLUGIN = "janus.plugin.videoroom";

  // join({meeting, name, onRemoteTrack(feed, name, track, on), onLeft(feed),
  //       onLocalTrack(track)}) -> Promise that resolves once publishing.
  async function join(options) {
    const { meeting, name } = options;
    await new Promise((resolve) => Janus.init({ debug: false, callback: resolve }));
    const session = await new Promise((resolve, reject) => {
      const janus = new Janus({
        server: meeting.janus,
        success: () => resolve(janus),
        error: reject,
      });
    });
    const call = { session, feeds: new Map() };
    window.__labCall = call;

    const subscribe = (feed, display) => {
      if (call.feeds.has(feed)) return;
      call.feeds.set(feed, null);
      session.attach({
        plugin: PLUGIN,
        success: (handle) => {
          call.feeds.set(feed, handle);
          handle.send({
            message: { request: "join", room: meeting.room, ptype: "subscriber", streams: [{ feed }] },
          });
        },
        onmessage: (msg, jsep) => {
          const handle = call.feeds.get(feed);
          if (jsep && handle) {
            handle.createAnswer({
              jsep,
              tracks: [{ type: "data" }],
              success: (answer) => handle.send({ message: { request: "start" }, jsep: answer }),
            });
          }
        },
        onremotetrack: (track, mid, on) => options.onRemoteTrack(feed, display, track, on),
      });
    };
    const gone = (feed) => {
      const handle = call.feeds.get(feed);
      call.feeds.delete(feed);
      if (handle) handle.detach();
      options.onLeft(feed);
    };
    const publishersIn = (msg) => {
      for (const publisher of msg.publishers || []) subscribe(publisher.id, publisher.display);
      if (msg.leaving) gone(msg.leaving);
      if (msg.unpublished && msg.unpublished !== "ok") gone(msg.unpublished);
    };

    await new Promise((resolve, reject) => {
      session.attach({
        plugin: PLUGIN,
        success: (handle) => {
          call.publisher = handle;
          handle.send({ message: { request: "join", room: meeting.room, ptype: "publisher", display: name } });
        },
        error: reject,
        onmessage: (msg, jsep) => {
          const handle = call.publisher;
          if (msg.videoroom === "joined") {
            handle.createOffer({
              tracks: [
                { type: "audio", capture: true, recv: false },
                { type: "video", capture: true, recv: false },
              ],
              success: (offer) =>
                handle.send({ message: { request: "configure", audio: true, video: true }, jsep: offer }),
              error: reject,
            });
          }
          publishersIn(msg);
          if (jsep) {
            handle.handleRemoteJsep({ jsep });
            resolve();
          }
        },
        onlocaltrack: (track, on) => options.onLocalTrack && on && options.onLocalTrack(track),
      });
    });
    return call;
  }

  // Leave the call at once: Janus drops every handle of the session.
  function leave() {
    const call = window.__labCall;
    if (!call) return Promise.resolve(false);
    window.__labCall = null;
    return new Promise((resolve) => {
      call.session.destroy({ success: () => resolve(true), error: () => resolve(false) });
      setTimeout(() => resolve(false), 3000);
    });
  }

  // For vendors whose client plays one server-mixed stream (Teams, Zoom): returns
  // mix(track, on), which adds a remote audio track to (or takes it from) one <audio
  // id="mainAudio"> in `container`.
  function mixedAudio(container) {
    const context = new AudioContext({ sampleRate: 48000 });
    const destination = context.createMediaStreamDestination();
    const out = document.createElement("audio");
    out.id = "mainAudio";
    out.autoplay = true;
    out.srcObject = destination.stream;
    container.appendChild(out);
    const sources = new Map();
    return (track, on) => {
      const known = sources.get(track.id);
      if (!on) {
        if (known) { known.source.disconnect(); known.holder.remove(); sources.delete(track.id); }
        return;
      }
      if (known) return;
      const stream = new MediaStream([track]);
      // Chromium feeds a remote track into WebAudio only while a media element plays it.
      const holder = document.createElement("audio");
      holder.muted = true;
      holder.autoplay = true;
      holder.srcObject = stream;
      container.appendChild(holder);
      const source = context.createMediaStreamSource(stream);
      source.connect(destination);
      sources.set(track.id, { source, holder });
    };
  }

  // For vendors whose client plays each remote audio track in an <audio> of its own
  // (Jitsi, and Meet here): returns play(track, on), which adds or removes the
  // <audio id="<prefix><track id>"> of a remote track in `container`.
  function audioApart(container, prefix) {
    return (track, on) => {
      let audio = document.getElementById(`${prefix}${track.id}`);
      if (!on) { if (audio) audio.remove(); return; }
      if (!audio) {
        audio = document.createElement("audio");
        audio.id = `${prefix}${track.id}`;
        audio.autoplay = true;
        container.appendChild(audio);
      }
      audio.srcObject = new MediaStream([track]);
    };
  }

  window.labCall = { join, leave, mixedAudio, audioApart };
})();
