// The lab's reconstruction of Zoom's web client (see zoom.html's header): the lab's own
// code, following the screens of docs/vendors/zoom.md.
(() => {
  const { meeting, escape } = window.labDoor;
  const root = document.getElementById("root");
  const show = (html) => { root.innerHTML = html; };
  const linkPasscode = new URLSearchParams(location.search).get("pwd");
  let name = "";

  async function preview(wrong) {
    const info = await window.labDoor.info();
    if (info.wall === "not_found") {
      return show(`<div class="screen"><h1>This meeting link is invalid (3,001)</h1></div>`);
    }
    if (info.wall === "sign_in") {
      return show(`<div class="screen"><p>This Meeting is for authorized attendees only</p>
        <button class="login-btn-zoom">Sign in Zoom</button></div>`);
    }
    const askPasscode = info.passcode && !linkPasscode;
    show(`<div class="screen"><h2>Enter Meeting Info</h2>
      ${wrong ? "<p>Passcode wrong</p>" : ""}
      ${askPasscode ? '<input id="input-for-pwd" type="password" placeholder="Meeting passcode">' : ""}
      <input id="input-for-name" placeholder="Your Name">
      <button id="preview-audio-control-button" aria-label="Unmute">audio</button>
      <button id="preview-video-control-button" aria-label="Start Video">video</button>
      <button class="preview-join-button disabled">Join</button></div>`);
    const field = root.querySelector("#input-for-name");
    const join = root.querySelector("button.preview-join-button");
    field.addEventListener("input", () => join.classList.toggle("disabled", !field.value.trim()));
    for (const [id, on, off] of [["#preview-audio-control-button", "Mute", "Unmute"], ["#preview-video-control-button", "Stop Video", "Start Video"]]) {
      const button = root.querySelector(id);
      button.addEventListener("click", () => {
        button.setAttribute("aria-label", button.getAttribute("aria-label") === on ? off : on);
      });
    }
    join.addEventListener("click", () => {
      if (join.classList.contains("disabled")) return;
      name = field.value.trim();
      if (info.wall === "captcha") {
        return show(`<div class="zm-modal"><p>We detected you may be a bot. Automated bots aren't allowed to join this meeting or webinar and must use Zoom RTMS. If this was a mistake and you are a human, sign in to join the meeting.</p></div>`);
      }
      const typed = askPasscode ? root.querySelector("#input-for-pwd").value : linkPasscode;
      window.labDoor.ask(name, info.passcode ? typed : null, follow);
    });
  }

  function finished(text) {
    window.labDoor.stop();
    window.labCall.leave();
    show(`<div class="zm-modal"><div class="zm-modal-body-title">${text}</div><button>OK</button></div>`);
  }

  async function follow(status) {
    if (status === "passcode_wrong") return preview(true);
    if (status === "waiting") {
      show(`<div class="screen"><p>Please wait, the meeting host will let you in soon.</p></div>`);
    } else if (status === "admitted") {
      await call();
    } else if (status === "denied" || status === "removed") {
      finished("You have been removed");
    } else if (status === "ended") {
      finished("This meeting has been ended by host");
    }
  }

  async function call() {
    show(`<div class="gallery"></div>
      <div class="self-view"><video autoplay muted playsinline></video></div>
      <div id="audio"></div>
      <footer class="footer"><button aria-label="Leave">Leave</button></footer>`);
    const mixed = window.labCall.mixedAudio(root.querySelector("#audio"));
    root.querySelector('button[aria-label="Leave"]').addEventListener("click", () => {
      const dialog = document.createElement("div");
      dialog.className = "zm-modal";
      dialog.innerHTML = `<button class="leave-meeting-options__btn--danger" aria-label="">Leave Meeting</button>`;
      root.appendChild(dialog);
      dialog.querySelector("button").addEventListener("click", async () => {
        window.labDoor.stop();
        await window.labCall.leave();
        show(`<div class="screen"><h2>You have left the meeting</h2></div>`);
      });
    });
    await window.labCall.join({
      meeting,
      name,
      onLocalTrack: (track) => {
        if (track.kind === "video") root.querySelector(".self-view video").srcObject = new MediaStream([track]);
      },
      onRemoteTrack: (feed, display, track, on) => {
        if (track.kind === "audio") return mixed(track, on);
        let tile = root.querySelector(`[data-feed="${feed}"]`);
        if (!tile) {
          tile = document.createElement("div");
          tile.className = "video-avatar__avatar";
          tile.setAttribute("data-feed", String(feed));
          tile.innerHTML = `<video autoplay muted playsinline></video><div class="video-avatar__avatar-footer"><span>${escape(display || "")}</span></div>`;
          root.querySelector(".gallery").appendChild(tile);
        }
        if (on) tile.querySelector("video").srcObject = new MediaStream([track]);
      },
      onLeft: (feed) => {
        const tile = root.querySelector(`[data-feed="${feed}"]`);
        if (tile) tile.remove();
      },
    });
  }

  preview(false);
})();
