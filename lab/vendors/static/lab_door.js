// The meeting's door, as every reconstructed vendor page reaches it (lab/vendors/door.py):
// what the meeting asks of a joiner (lobby, passcode, a wall), asking to join, and
// following what becomes of the asker (waiting, admitted, denied, removed, ended, ...).
(() => {
  const meeting = window.LAB_MEETING;
  const call = (action, init) =>
    fetch(`/lab/door/${meeting.id}/${action}`, init).then((r) => r.json());
  let following = 0;

  // info() -> {lobby, passcode, wall}
  const info = () => call("info");

  // ask(name, passcode, onStatus): onStatus(status) now and at every change after,
  // while the asker waits in the lobby or is in the call.
  async function ask(name, passcode, onStatus) {
    const run = ++following;
    const answer = await call("ask", { method: "POST", body: JSON.stringify({ name, passcode }) });
    let current = answer.status;
    onStatus(current);
    while (run === following && (current === "waiting" || current === "admitted")) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = (await call(`status?guest=${answer.guest}`)).status;
      if (run === following && now !== current) {
        current = now;
        onStatus(current);
      }
    }
  }

  // Stop following (the page left the call by itself).
  const stop = () => { following += 1; };

  const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  window.labDoor = { meeting, info, ask, stop, escape };
})();
