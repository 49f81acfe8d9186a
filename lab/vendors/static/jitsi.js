// The lab's reconstruction of a Jitsi Meet meeting page (see jitsi.html's header):
// the lab's own code, following the screens of docs/vendors/jitsi.md.
(() => {
  const { meeting, escape: text } = window.labDoor;
  const root = document.getElementById("react");

  // Hash config: key=value pairs, each value URI-decoded then JSON-parsed.
  const config = {};
  for (const pair of location.hash.replace(/^#/, "").split("&")) {
    if (!pair) continue;
    const [key, value = ""] = pair.split("=");
    try { config[key] = JSON.parse(decodeURIComponent(value)); } catch (e) { config[key] = decodeURIComponent(value); }
  }
  const prejoin = config["config.prejoinConfig.enabled"] !== false && config["config.prejoinPageEnabled"] !== false;
  let name = typeof config["userInfo.displayName"] === "string" ? config["userInfo.displayName"] : "";

  const show = (html) => { root.innerHTML = html; };

  function prejoinScreen() {
    show(`<div class="premeeting-screen" data-testid="prejoin.screen">
      <h1>Join meeting</h1>
      <input id="premeeting-name-input" placeholder="Please enter your name here" value="${text(name)}">
      <div role="button" tabindex="0" aria-label="Join meeting" data-testid="prejoin.joinMeeting">Join meeting</div>
      </div>`);
    const input = document.getElementById("premeeting-name-input");
    const go = () => { name = input.value.trim(); if (name) start(); };
    document.querySelector('[data-testid="prejoin.joinMeeting"]').addEventListener("click", go);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") go(); });
  }

  async function start() {
    const info = await window.labDoor.info();
    if (info.wall === "sign_in") return tokenWall();
    if (info.passcode) return passwordDialog(false);
    if (info.lobby) return lobbyScreen();
    return ask(null);
  }

  function tokenWall() {
    show(`<div class="dialog" role="dialog"><h2>Authentication failed</h2>
      <p data-testid="dialog.tokenAuthFailed">Sorry, you're not allowed to join this call.</p></div>`);
  }

  function passwordDialog(incorrect) {
    show(`<div class="dialog" role="dialog"><h2>Password required</h2>
      <p>The meeting has been locked by a participant. Please enter the password to join.</p>
      ${incorrect ? '<p class="error">Incorrect password</p>' : ""}
      <input name="lockKey" type="password">
      <button id="modal-dialog-ok-button">OK</button>
      <button id="modal-header-close-button" aria-label="Close">×</button></div>`);
    document.getElementById("modal-dialog-ok-button").addEventListener("click", () => {
      ask(document.querySelector('input[name="lockKey"]').value);
    });
  }

  function lobbyScreen() {
    show(`<div class="lobby-screen"><h1>Asking to join meeting...</h1>
      <input data-testid="lobby.nameField" placeholder="Enter your name" value="${text(name)}">
      <div role="button" tabindex="0" data-testid="lobby.knockButton">Ask to Join</div></div>`);
    document.querySelector('[data-testid="lobby.knockButton"]').addEventListener("click", () => {
      name = document.querySelector('[data-testid="lobby.nameField"]').value.trim() || name;
      ask(null);
    });
  }

  function knocking() {
    show(`<div class="lobby-screen"><h1>Asking to join meeting...</h1>
      <p class="joining-message" data-testid="lobby.joiningMessage">You'll join the meeting as soon as someone accepts your request</p></div>`);
  }

  const ask = (passcode) => window.labDoor.ask(name, passcode, follow);

  async function follow(status) {
    if (status === "passcode_wrong") return passwordDialog(true);
    if (status === "waiting") knocking();
    else if (status === "admitted") await conference();
    else if (status === "denied") {
      show(`<div class="lobby-screen"><h1>Asking to join meeting...</h1></div>
        <div class="notification" data-testid="lobby.joinRejectedMessage">Your join request was rejected by a moderator.</div>`);
      return;
    } else if (status === "removed") return endCall(`<div class="dialog" role="dialog"><h2>Ouch! The moderator kicked you out of the meeting</h2></div>`);
    else if (status === "ended") return endCall(`<div class="dialog" role="dialog"><h2>Call terminated</h2></div>`);
    else if (status === "sign_in") return tokenWall();
  }

  async function endCall(html) {
    await window.labCall.leave();
    show(html);
  }

  async function conference() {
    show(`<div id="videospace"><div id="remoteVideos"></div>
        <span id="localVideoContainer" class="videocontainer"><video id="localVideo_container" autoplay muted playsinline></video></span></div>
      <div id="audioTracks"></div>
      <div class="toolbox"><div role="button" tabindex="0" aria-label="Leave the meeting" class="hangup-button">Leave</div></div>`);
    document.querySelector('[aria-label="Leave the meeting"]').addEventListener("click", async () => {
      window.labDoor.stop();
      await window.labCall.leave();
      show(`<div class="page"><h1>Thank you for using Jitsi Meet</h1><button>Rejoin</button></div>`);
    });
    const play = window.labCall.audioApart(document.getElementById("audioTracks"), "remoteAudio_");
    await window.labCall.join({
      meeting,
      name,
      onLocalTrack: (track) => {
        if (track.kind !== "video") return;
        document.getElementById("localVideo_container").srcObject = new MediaStream([track]);
      },
      onRemoteTrack: (feed, display, track, on) => {
        if (track.kind === "audio") return play(track, on);
        let tile = document.getElementById(`participant_${feed}`);
        if (!tile) {
          tile = document.createElement("span");
          tile.id = `participant_${feed}`;
          tile.className = "videocontainer";
          tile.innerHTML = `<video autoplay muted playsinline></video><span class="displayname" id="participant_${feed}_name">${text(display || "Fellow Jitster")}</span>`;
          document.getElementById("remoteVideos").appendChild(tile);
        }
        if (on) tile.querySelector("video").srcObject = new MediaStream([track]);
      },
      onLeft: (feed) => {
        const tile = document.getElementById(`participant_${feed}`);
        if (tile) tile.remove();
      },
    });
  }

  if (prejoin || !name) prejoinScreen();
  else start();
})();
