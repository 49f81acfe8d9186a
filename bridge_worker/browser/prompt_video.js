// meetbridge: every <video> playing a stream is asked for a callback on each frame it
// presents (requestVideoFrameCallback, which does nothing with it). Measured: with it,
// a received frame was drawn on the bot's display ~20 ms after it arrived in every
// run; without it, in some runs, ~110 ms after, all run long (docs/video.md). The
// bot's stage is what the room sees, so the meeting's pictures must be drawn promptly.
(() => {
  if (window.__meetbridgePromptVideo || !window.HTMLVideoElement) return;
  window.__meetbridgePromptVideo = true;
  const property = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, "srcObject");
  if (!property || !property.set || !HTMLVideoElement.prototype.requestVideoFrameCallback) return;
  const watched = new WeakSet();
  function watch(video) {
    if (watched.has(video)) return;
    watched.add(video);
    const next = () => {
      if (video.srcObject) video.requestVideoFrameCallback(next);
      else watched.delete(video);
    };
    video.requestVideoFrameCallback(next);
  }
  Object.defineProperty(HTMLMediaElement.prototype, "srcObject", {
    ...property,
    set(value) {
      property.set.call(this, value);
      if (value && this instanceof HTMLVideoElement) watch(this);
    },
  });
})();
