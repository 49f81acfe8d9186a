// The lab's reconstruction of a Teams meeting page (see teams.html's header): the lab's
// own code, following the screens of docs/vendors/teams.md.
(() => {
  const { meeting, escape } = window.labDoor;
  const root = document.getElementById("app");
  const show = (html) => { root.innerHTML = html; };
  let name = "";
  let info = null;

  function launcher() {
    show(`<div class="screen"><h1>How do you want to join your Teams meeting?</h1>
      <button data-tid="joinOnWeb" aria-label="Join meeting from this browser">Continue on this browser</button>
      <button>Join on the Teams app</button></div>`);
    root.querySelector('[data-tid="joinOnWeb"]').addEventListener("click", prejoin);
  }

  async function prejoin() {
    info = await window.labDoor.info();
    if (info.wall === "not_found") {
      return show(`<div class="screen"><p>Looks like the meeting URL is incorrect. Please check the URL and try again.</p></div>`);
    }
    if (info.wall === "sign_in") {
      return show(`<div class="screen"><p>You need to be signed in to Teams to access this meeting.</p>
        <input name="loginfmt" type="email" placeholder="Email, phone, or Skype"></div>`);
    }
    show(`<div class="screen"><h1>Choose your audio and video settings</h1>
      <input data-tid="prejoin-display-name-input" placeholder="Type your name">
      <div role="switch" data-tid="toggle-video" aria-checked="true" aria-label="Camera">camera</div>
      <div role="radio" aria-checked="true" aria-label="Computer audio">Computer audio</div>
      <div role="switch" data-tid="toggle-mute" aria-checked="true" aria-label="Microphone">mic</div>
      <button data-tid="prejoin-join-button" disabled>Join now</button>
      <button data-tid="prejoin-cancel-button">Cancel</button></div>`);
    const field = root.querySelector('[data-tid="prejoin-display-name-input"]');
    const join = root.querySelector('[data-tid="prejoin-join-button"]');
    field.addEventListener("input", () => { join.disabled = !field.value.trim(); });
    for (const toggle of root.querySelectorAll('[role="switch"]')) {
      toggle.addEventListener("click", () => {
        toggle.setAttribute("aria-checked", toggle.getAttribute("aria-checked") === "true" ? "false" : "true");
      });
    }
    join.addEventListener("click", () => {
      name = field.value.trim();
      if (!name) return;
      if (info.wall === "captcha") {
        return show(`<div class="screen"><h2>Verify you're a real person</h2>
          <img data-tid="HIP-Captcha-Image" alt="captcha" width="200" height="60"></div>`);
      }
      window.labDoor.ask(name, null, follow);
    });
  }

  function finished(html) {
    window.labDoor.stop();
    window.labCall.leave();
    show(html);
  }

  async function follow(status) {
    if (status === "waiting") {
      show(`<div class="screen"><h2>Someone will let you in soon</h2>
        <button data-tid="prejoin-join-button" disabled>Join now</button></div>`);
    } else if (status === "admitted") {
      await call();
    } else if (status === "denied") {
      show(`<div class="screen"><h2>Sorry, but you were denied access to the meeting.</h2>
        <button data-tid="calling-retry-cancelbutton">Dismiss</button></div>`);
    } else if (status === "removed") {
      finished(`<div class="screen"><h2 id="calling-retry-screen-title">You've been removed from this meeting</h2></div>`);
    } else if (status === "ended") {
      finished(`<div class="screen"><h2>The meeting has ended</h2>
        <button data-tid="anon-meeting-end-screen-rejoin-button">Rejoin</button></div>`);
    }
  }

  async function call() {
    show(`<div data-tid="calling-toolbar">
        <button id="roster-button" aria-label="People">People</button>
        <button id="hangup-button" data-tid="hangup-main-btn" aria-label="Leave">Leave</button></div>
      <div data-tid="modern-stage-wrapper"></div>
      <div id="self-view"><video autoplay muted playsinline></video></div>
      <div id="audio"></div>`);
    // One mixed stream for all remote audio, as Teams plays its server-mixed track.
    const mixIn = window.labCall.mixedAudio(root.querySelector("#audio"));
    root.querySelector("#hangup-button").addEventListener("click", async () => {
      window.labDoor.stop();
      await window.labCall.leave();
      show(`<div class="screen"><h2>You left the meeting</h2>
        <button data-tid="anon-meeting-end-screen-rejoin-button">Rejoin</button></div>`);
    });
    await window.labCall.join({
      meeting,
      name,
      onLocalTrack: (track) => {
        if (track.kind === "video") root.querySelector("#self-view video").srcObject = new MediaStream([track]);
      },
      onRemoteTrack: (feed, display, track, on) => {
        if (track.kind === "audio") return mixIn(track, on);
        let tile = root.querySelector(`[data-feed="${feed}"]`);
        if (!tile) {
          tile = document.createElement("div");
          tile.setAttribute("data-stream-type", "Video");
          tile.setAttribute("data-tid", display || "");
          tile.setAttribute("data-feed", String(feed));
          tile.innerHTML = `<video autoplay muted playsinline></video><span class="name">${escape(display || "")}</span>`;
          root.querySelector('[data-tid="modern-stage-wrapper"]').appendChild(tile);
        }
        if (on) tile.querySelector("video").srcObject = new MediaStream([track]);
      },
      onLeft: (feed) => {
        const tile = root.querySelector(`[data-feed="${feed}"]`);
        if (tile) tile.remove();
      },
    });
  }

  launcher();
})();
