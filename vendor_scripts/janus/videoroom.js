// Reads the state of the Janus VideoRoom demo page (janus-demos: videoroomtest.html).
// Kept next to the vendor module, with every selector the module uses.
() => {
  const modal = document.querySelector(".bootbox.modal.show .bootbox-body, .bootbox.modal.in .bootbox-body");
  const remotes = [];
  for (let i = 1; i <= 5; i++) {
    const label = document.querySelector(`#remote${i}`);
    const box = document.querySelector(`#videoremote${i}`);
    if (!label || !box || label.offsetParent === null) continue;
    const name = label.textContent.trim();
    if (!name) continue;
    const video = box.querySelector("video");
    const r = box.getBoundingClientRect();
    remotes.push({ name, hasVideo: !!video, x: r.x, y: r.y, width: r.width, height: r.height });
  }
  const pc = window.sfutest && window.sfutest.webrtcStuff && window.sfutest.webrtcStuff.pc;
  return {
    modal: modal ? modal.textContent.trim() : null,
    joined: window.myid !== null && window.myid !== undefined,
    published: !!pc && ["connected", "completed"].includes(pc.iceConnectionState),
    remotes,
  };
}
