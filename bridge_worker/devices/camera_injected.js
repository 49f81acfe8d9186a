// meetbridge injected camera: getUserMedia answers video with a track whose frames
// come from the worker: JPEG pictures over a WebSocket that Playwright answers
// in-process (no network), decoded by WebCodecs' ImageDecoder straight into
// VideoFrames for a MediaStreamTrackGenerator (no canvas, no read-back). The worker
// sends a picture when it changes; the page sends it on at once and repeats it at
// the camera's frame rate until the next. Audio still comes from the real (PulseAudio)
// microphone. The config is filled in by the worker: {url, width, height, fps, label}.
(() => {
  if (window.__meetbridgeCamera || !navigator.mediaDevices) return;
  const cfg = __MEETBRIDGE_CAMERA_CONFIG__;
  const devices = navigator.mediaDevices;
  const realGetUserMedia = devices.getUserMedia.bind(devices);
  const realEnumerate = devices.enumerateDevices.bind(devices);
  const state = { track: null, socket: null, frames: 0, pictures: 0, last: null };
  window.__meetbridgeCamera = state;
  const periodMs = 1000 / cfg.fps;

  function emit(writer, frame) {
    const stamped = new VideoFrame(frame, { timestamp: Math.round(performance.now() * 1000) });
    state.frames += 1;
    return writer.write(stamped).catch(() => stamped.close());
  }

  async function decode(bytes) {
    const decoder = new ImageDecoder({ data: bytes, type: "image/jpeg" });
    try {
      const { image } = await decoder.decode();
      if (state.last) state.last.close();
      state.last = image;
      state.pictures += 1;
    } finally {
      decoder.close();
    }
  }

  function startFeed(writer) {
    const socket = new WebSocket(cfg.url);
    socket.binaryType = "arraybuffer";
    let busy = false;
    // A new picture leaves at once, and the camera's clock restarts from it; between
    // pictures the last one is repeated at the frame rate. Waiting for the next tick
    // instead cost half a frame on average from the worker's show() to the track
    // (bench.camera_feed), and receivers held the video longer, and the bot's voice
    // with it through lip sync (bench.camera_receive; docs/video.md).
    let ticker = null;
    const tick = () => { if (state.last) emit(writer, state.last); };
    socket.onmessage = async (event) => {
      if (busy) return; // drop a picture rather than queue behind a slow decode
      busy = true;
      try { await decode(event.data); } finally { busy = false; }
      clearInterval(ticker);
      tick();
      ticker = setInterval(tick, periodMs);
    };
    state.socket = socket;
    ticker = setInterval(tick, periodMs);
  }

  function cameraTrack() {
    if (!state.track) {
      const generator = new MediaStreamTrackGenerator({ kind: "video" });
      state.track = generator;
      startFeed(generator.writable.getWriter());
    }
    // A clone per caller: a page that stops its track must not stop the camera.
    const track = state.track.clone();
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({
      ...settings(), deviceId: "meetbridge-camera", groupId: "meetbridge",
      width: cfg.width, height: cfg.height, frameRate: cfg.fps,
    });
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
