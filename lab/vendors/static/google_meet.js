// The lab's reconstruction of a Google Meet page (see google_meet.html's header): the
// lab's own code, following the screens of docs/vendors/google_meet.md.
(() => {
  const { meeting, escape } = window.labDoor;
  const root = document.getElementById("yDmH0d");
  const show = (html) => { root.innerHTML = html; };
  let name = "";
  let microphoneOn = true;
  let cameraOn = true;

  function signInPage() {
    show(`<div class="screen"><h1>Sign in</h1><p>to continue to Google Meet. Use your Google Account</p>
      <input type="email" aria-label="Email or phone"></div>`);
  }

  function notFound() {
    show(`<div class="screen"><h1>Check your meeting code</h1>
      <p>Make sure you entered the correct meeting code in the URL</p><button>Return to home screen</button></div>`);
  }

  function cantJoin() {
    show(`<div class="screen"><h1>You can't join this video call</h1><button>Return to home screen</button></div>`);
  }

  async function lobbyScreen() {
    const info = await window.labDoor.info();
    if (info.wall === "sign_in") return signInPage();
    if (info.wall === "not_found") return notFound();
    const joinText = info.lobby ? "Ask to join" : "Join now";
    show(`<div class="screen">
      <h1>Ready to join?</h1>
      <input type="text" jsname="YPqjbf" aria-label="Your name" placeholder="Your name">
      <div><button class="mic" aria-label="Turn off microphone">mic</button>
      <button class="cam" aria-label="Turn off camera">cam</button></div>
      <button class="join" disabled><span>${joinText}</span></button>
      </div>
      <div role="dialog" aria-modal="true"><p>Others may see your video differently</p>
      <button data-mdc-dialog-action="ok"><span>Got it</span></button></div>`);
    const field = root.querySelector('input[aria-label="Your name"]');
    const join = root.querySelector("button.join");
    root.querySelector('[role="dialog"] button').addEventListener("click", () => {
      root.querySelector('[role="dialog"]').remove();
    });
    field.addEventListener("input", () => { join.disabled = !field.value.trim(); });
    const toggle = (button, what, get, set) => button.addEventListener("click", () => {
      set(!get());
      button.setAttribute("aria-label", `${get() ? "Turn off" : "Turn on"} ${what}`);
    });
    toggle(root.querySelector(".mic"), "microphone", () => microphoneOn, (v) => { microphoneOn = v; });
    toggle(root.querySelector(".cam"), "camera", () => cameraOn, (v) => { cameraOn = v; });
    join.addEventListener("click", () => {
      // A dialog over the page takes the click (as Meet's "Got it" does).
      if (root.querySelector('[role="dialog"]') || !field.value.trim()) return;
      name = field.value.trim();
      if (info.wall === "captcha") return cantJoin();
      window.labDoor.ask(name, null, follow);
    });
  }

  function ended(text) {
    window.labDoor.stop();
    window.labCall.leave();
    show(`<div class="screen"><div class="roSPhc">${text}</div><button>Return to home screen</button></div>`);
  }

  async function follow(status) {
    if (status === "waiting") {
      show(`<div class="screen"><h1>Asking to be let in…</h1>
        <p>You’ll join the call when someone lets you in</p></div>`);
    } else if (status === "admitted") {
      await call();
    } else if (status === "denied") {
      show(`<div class="screen"><h1>Someone in the call denied your request to join</h1>
        <button>Return to home screen</button></div>`);
    } else if (status === "removed") {
      ended("You've been removed from the meeting");
    } else if (status === "ended") {
      ended("Your host ended the meeting for everyone");
    } else if (status === "not_found") {
      notFound();
    }
  }

  function people() {
    const count = root.querySelectorAll("[data-participant-id]").length;
    const button = root.querySelector('button[aria-label^="People"]');
    if (button) button.setAttribute("aria-label", `People - ${count} joined`);
  }

  async function call() {
    show(`<div jsname="BOHaEe"></div>
      <div data-participant-id="spaces/lab/devices/self" data-self-name="${escape(name)}"><video autoplay muted playsinline></video></div>
      <div id="audio"></div>
      <div role="region" aria-label="Call controls">
        <button aria-label="People - 1 joined">people</button>
        <button jsname="CQylAd" aria-label="Leave call">leave</button></div>`);
    root.querySelector('button[aria-label="Leave call"]').addEventListener("click", async () => {
      window.labDoor.stop();
      await window.labCall.leave();
      show(`<div class="screen"><h1>You left the meeting</h1><button>Rejoin</button><button>Return to home screen</button></div>`);
    });
    const play = window.labCall.audioApart(root.querySelector("#audio"), "audio-");
    await window.labCall.join({
      meeting,
      name,
      onLocalTrack: (track) => {
        if (track.kind === "video") root.querySelector("[data-self-name] video").srcObject = new MediaStream([track]);
      },
      onRemoteTrack: (feed, display, track, on) => {
        if (track.kind === "audio") return play(track, on);
        const id = `spaces/lab/devices/${feed}`;
        let tile = root.querySelector(`[data-participant-id="${id}"]`);
        if (!tile) {
          tile = document.createElement("div");
          tile.setAttribute("data-participant-id", id);
          tile.innerHTML = `<video autoplay muted playsinline></video><span class="notranslate">${escape(display || "")}</span>`;
          root.querySelector('[jsname="BOHaEe"]').appendChild(tile);
          people();
        }
        if (on) tile.querySelector("video").srcObject = new MediaStream([track]);
      },
      onLeft: (feed) => {
        const tile = root.querySelector(`[data-participant-id="spaces/lab/devices/${feed}"]`);
        if (tile) tile.remove();
        people();
      },
    });
  }

  lobbyScreen();
})();
