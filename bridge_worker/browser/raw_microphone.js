// meetbridge: the bot's microphone carries another meeting's sound, already clean and
// mixed. Voice processing meant for a person at a laptop (echo cancellation, noise
// suppression, automatic gain) would damp steady sounds and music, and costs CPU, so
// every audio capture the page asks for is taken raw.
(() => {
  if (window.__meetbridgeRawMicrophone || !navigator.mediaDevices) return;
  window.__meetbridgeRawMicrophone = true;
  const devices = navigator.mediaDevices;
  const realGetUserMedia = devices.getUserMedia.bind(devices);
  const RAW = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
  devices.getUserMedia = (constraints = {}) => {
    if (!constraints.audio) return realGetUserMedia(constraints);
    const audio = constraints.audio === true ? {} : { ...constraints.audio };
    for (const key of ["advanced", "mandatory", "optional"]) delete audio[key];
    return realGetUserMedia({ ...constraints, audio: { ...audio, ...RAW } });
  };
})();
