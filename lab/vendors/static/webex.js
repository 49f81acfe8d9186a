// The lab's reconstruction of the Webex web client (see webex.html's header): the lab's
// own code, following the screens of docs/vendors/webex.md. One file for the chooser
// page and for the web client in its frame.
(() => {
  const { meeting, escape } = window.labDoor;
  const root = document.getElementById("root");
  const show = (html) => { root.innerHTML = html; };
  const CLIENT_PATH = "/webappng/sites/lab/meeting/webclient/";

  // --- the chooser page ---------------------------------------------------------------
  async function chooser() {
    const info = await window.labDoor.info();
    if (info.wall === "not_found") {
      return show(`<div class="screen"><h1>This meeting link is not valid.</h1></div>`);
    }
    show(`<div class="screen"><h1>Join your Webex meeting</h1>
      <div role="button" tabindex="0">Download the Webex app</div>
      <div id="broadcom-center-right" role="button" tabindex="0">Join from this browser</div></div>
      <div class="cookie-banner-body">We use cookies. <button>Reject</button> <button>Accept</button></div>`);
    for (const button of root.querySelectorAll(".cookie-banner-body button")) {
      button.addEventListener("click", () => root.querySelector(".cookie-banner-body").remove());
    }
    // A pointer that really moved: automation's moves carry no movement.
    let movedAt = -Infinity;
    document.addEventListener("mousemove", (e) => {
      if (e.movementX || e.movementY) movedAt = performance.now();
    });
    root.querySelector("#broadcom-center-right").addEventListener("click", () => {
      if (performance.now() - movedAt > 2000) return;
      location.href = `webex://${location.host}${location.pathname}`;  // try the app first
      setTimeout(() => show(`<iframe id="unified-webclient-iframe" allow="camera; microphone; autoplay"
        src="${CLIENT_PATH}${encodeURIComponent(meeting.id)}"></iframe>`), 300);
    });
  }

  // --- the web client, in its frame -----------------------------------------------------
  let name = "";
  let typedPassword = null;
  let wrongPasswords = 0;

  async function client() {
    const info = await window.labDoor.info();
    if (info.wall === "sign_in") {
      return show(`<div class="screen"><p>Sign in to join this meeting.</p><mdc-button>Sign in</mdc-button></div>`);
    }
    if (info.wall === "captcha") return passwordStep(info, true);
    if (info.passcode) return passwordStep(info, false);
    return preview(info);
  }

  function passwordStep(info, captcha) {
    show(`<div class="screen"><h2>Enter the meeting password</h2>
      ${wrongPasswords ? "<p>Incorrect password. Try again.</p>" : ""}
      <input aria-label="Meeting password" type="password">
      ${captcha ? '<img alt="Captcha image" width="160" height="50"><input aria-label="Captcha">' : ""}
      <mdc-button type="submit">Next</mdc-button></div>`);
    root.querySelector('mdc-button[type="submit"]').addEventListener("click", () => {
      if (captcha) return;  // the lab never solves its captcha, nor should a bot
      typedPassword = root.querySelector('input[aria-label="Meeting password"]').value;
      preview(info);
    });
  }

  function preview(info) {
    show(`<div class="screen"><h2>Enter your information</h2>
      <input data-test="Name (required)" placeholder="Name (required)">
      <input data-test="Email (required)" placeholder="Email (required)">
      <div class="self" data-test="local_stream"><video autoplay muted playsinline></video></div>
      <mdc-button data-test="microphone-button" aria-label="Unmute">Unmute</mdc-button>
      <mdc-button data-test="camera-button" aria-label="Start video">Start video</mdc-button>
      <mdc-button data-test="join-button" disabled>Join meeting</mdc-button></div>`);
    const fields = [...root.querySelectorAll("input")];
    const join = root.querySelector('mdc-button[data-test="join-button"]');
    const check = () => join.toggleAttribute("disabled", !fields.every((f) => f.value.trim()));
    fields.forEach((f) => f.addEventListener("input", check));
    for (const [selector, on, off] of [['[data-test="microphone-button"]', "Mute", "Unmute"], ['[data-test="camera-button"]', "Stop video", "Start video"]]) {
      const button = root.querySelector(selector);
      button.addEventListener("click", () => {
        const label = button.getAttribute("aria-label") === on ? off : on;
        button.setAttribute("aria-label", label);
        button.textContent = label;
      });
    }
    join.addEventListener("click", () => {
      if (join.hasAttribute("disabled")) return;
      name = fields[0].value.trim();
      window.labDoor.ask(name, info.passcode ? typedPassword : null, (status) => follow(status, info));
    });
  }

  function finished(text) {
    window.labDoor.stop();
    window.labCall.leave();
    show(`<div class="md-modal" role="dialog" aria-modal="true"><p>${text}</p><mdc-button>OK</mdc-button></div>`);
  }

  async function follow(status, info) {
    if (status === "passcode_wrong") {
      wrongPasswords += 1;
      return passwordStep(info, wrongPasswords >= 2);  // a captcha after wrong passwords
    }
    if (status === "waiting") {
      show(`<div class="screen" data-test="call_lobby_content"><p>Waiting for the host to let you in.</p>
        <p>The host will let you in soon.</p></div>`);
    } else if (status === "admitted") {
      await call();
    } else if (status === "denied") {
      finished("The host denied your request to join.");
    } else if (status === "removed") {
      finished("You've been removed from the meeting.");
    } else if (status === "ended") {
      finished("The meeting has ended.");
    }
  }

  async function call() {
    show(`<div data-test="grid-layout"></div>
      <div class="self" data-test="local_stream"><video autoplay muted playsinline></video></div>
      <div id="audio"></div>
      <div class="controls">
        <mdc-button data-test="in-meeting-chat-toggle-button" aria-label="Chat">Chat</mdc-button>
        <mdc-button aria-label="Leave meeting">Leave</mdc-button></div>`);
    const mixed = window.labCall.mixedAudio(root.querySelector("#audio"));
    root.querySelector('mdc-button[aria-label="Leave meeting"]').addEventListener("click", () => {
      const dialog = document.createElement("div");
      dialog.className = "md-modal";
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.innerHTML = `<p>Leave the meeting?</p><mdc-button data-test="leave-meeting-confirm">Leave meeting</mdc-button>`;
      root.appendChild(dialog);
      dialog.querySelector("mdc-button").addEventListener("click", async () => {
        window.labDoor.stop();
        await window.labCall.leave();
        show(`<div class="screen"><h2>You have left the meeting.</h2></div>`);
      });
    });
    await window.labCall.join({
      meeting,
      name,
      onLocalTrack: (track) => {
        if (track.kind === "video") root.querySelector(".self video").srcObject = new MediaStream([track]);
      },
      onRemoteTrack: (feed, display, track, on) => {
        if (track.kind === "audio") return mixed(track, on);
        let pane = root.querySelector(`[data-feed="${feed}"]`);
        if (!pane) {
          pane = document.createElement("div");
          pane.setAttribute("data-test", `${feed}-video-pane-container`);
          pane.setAttribute("data-feed", String(feed));
          pane.innerHTML = `<video autoplay muted playsinline></video><span data-test="participant-name">${escape(display || "")}</span>`;
          root.querySelector('[data-test="grid-layout"]').appendChild(pane);
        }
        if (on) pane.querySelector("video").srcObject = new MediaStream([track]);
      },
      onLeft: (feed) => {
        const pane = root.querySelector(`[data-feed="${feed}"]`);
        if (pane) pane.remove();
      },
    });
  }

  if (location.pathname.startsWith(CLIENT_PATH)) client(); else chooser();
})();
