// meetbridge injected camera: getUserMedia answers video with a canvas track whose
// frames come from the worker (JPEG over a WebSocket that Playwright routes in-process).
// Audio still comes from the real (PulseAudio) microphone. The config is filled in by
// the worker: {url, width, height, fps, label}.
(() => {
  if (window.__meetbridgeCamera || !navigator.mediaDevices) return;
  const cfg = __MEETBRIDGE_CAMERA_CONFIG__;
  const devices = navigator.mediaDevices;
  const realGetUserMedia = devices.getUserMedia.bind(devices);
  const realEnumerate = devices.enumerateDevices.bind(devices);
  const state = { canvas: null, track: null, socket: null, frames: 0, lastFrameAt: 0 };
  window.__meetbridgeCamera = state;

  function startFeed(ctx) {
    if (state.socket) return;
    const socket = new WebSocket(cfg.url);
    socket.binaryType = "arraybuffer";
    let drawing = false;
    socket.onmessage = async (event) => {
      if (drawing) return; // drop a frame rather than queue behind a slow decode
      drawing = true;
      try {
        const bitmap = await createImageBitmap(new Blob([event.data], { type: "image/jpeg" }));
        ctx.drawImage(bitmap, 0, 0, cfg.width, cfg.height);
        bitmap.close();
        state.frames += 1;
        state.lastFrameAt = performance.now();
      } finally {
        drawing = false;
      }
    };
    socket.onclose = () => { state.socket = null; };
    state.socket = socket;
  }

  function cameraTrack() {
    if (!state.track || state.track.readyState === "ended") {
      const canvas = document.createElement("canvas");
      canvas.width = cfg.width;
      canvas.height = cfg.height;
      const ctx = canvas.getContext("2d", { alpha: false, desynchronized: true });
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, cfg.width, cfg.height);
      state.canvas = canvas;
      state.track = canvas.captureStream(cfg.fps).getVideoTracks()[0];
      startFeed(ctx);
    }
    // A clone per caller: a page that stops its track must not stop the camera.
    const track = state.track.clone();
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({ ...settings(), deviceId: "meetbridge-camera", groupId: "meetbridge" });
    Object.defineProperty(track, "label", { value: cfg.label });
    return track;
  }

  devices.getUserMedia = async (constraints = {}) => {
    const stream = constraints.audio
      ? await realGetUserMedia({ audio: constraints.audio })
      : new MediaStream();
    if (constraints.video) stream.addTrack(cameraTrack());
    return stream;
  };

  devices.enumerateDevices = async () => {
    const real = (await realEnumerate()).filter((d) => d.kind !== "videoinput");
    const camera = {
      deviceId: "meetbridge-camera", groupId: "meetbridge", kind: "videoinput", label: cfg.label,
      toJSON() { return { deviceId: this.deviceId, groupId: this.groupId, kind: this.kind, label: this.label }; },
    };
    return [...real, camera];
  };
})();
