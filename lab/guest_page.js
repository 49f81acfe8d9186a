// Injected (as a Playwright init script) into meetbridge's join page when a bench
// times a guest (lab/guest_page.py, `timed=True`). It changes nothing the page does:
// it remembers the microphone track the page captures (janus.js asks getUserMedia
// for it, and sends that very track), and defines `window.__guestLab.recordTimings`,
// which records that track (what the guest says, as sent) or the room's mix the page
// plays (`#mix`), each with the wall-clock time of its first sample. The lab people
// (videoroom_page.js) time what they send and hear the same way, so the figures of
// both ends compare.
(() => {
  "use strict";
  const RECORDER = "guest-lab-recorder";
  // Posts each render quantum of its (mono, mixed) input with the audio clock's time.
  const RECORDER_SOURCE = `
    class GuestLabRecorder extends AudioWorkletProcessor {
      process(inputs) {
        const channel = inputs[0] && inputs[0][0];
        this.port.postMessage([currentTime, channel ? channel.slice(0) : new Float32Array(128)]);
        return true;
      }
    }
    registerProcessor(${JSON.stringify(RECORDER)}, GuestLabRecorder);`;

  let microphone = null;
  const devices = navigator.mediaDevices;
  if (devices && devices.getUserMedia) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      const track = stream.getAudioTracks()[0];
      if (track) microphone = track;
      return stream;
    };
  }

  function mixTrack() {
    const mix = document.getElementById("mix");
    const stream = mix && mix.srcObject;
    return stream ? stream.getAudioTracks()[0] || null : null;
  }

  function toBase64(floats) {
    const bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function concat(chunks, length) {
    const out = new Float32Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      const n = Math.min(chunk.length, length - offset);
      out.set(chunk.subarray(0, n), offset);
      offset += n;
      if (offset >= length) break;
    }
    return out;
  }

  // `seconds` of the microphone ("sent") or the mix ("heard"): {rate, complete,
  // startMs (wall clock of the first sample), pcm: base64 little-endian float32}.
  async function recordTimings(which, seconds) {
    const track = which === "sent" ? microphone : mixTrack();
    if (!track || track.readyState !== "live") throw new Error("no live track: " + which);
    const ctx = new AudioContext({ sampleRate: 48000 });
    try {
      const url = URL.createObjectURL(new Blob([RECORDER_SOURCE], { type: "text/javascript" }));
      try {
        await ctx.audioWorklet.addModule(url);
      } finally {
        URL.revokeObjectURL(url);
      }
      await ctx.resume();
      const recorder = new AudioWorkletNode(ctx, RECORDER, {
        channelCount: 1, channelCountMode: "explicit", channelInterpretation: "speakers",
      });
      const mute = ctx.createGain();
      mute.gain.value = 0;
      recorder.connect(mute).connect(ctx.destination); // keeps the graph pulled
      ctx.createMediaStreamSource(new MediaStream([track])).connect(recorder);
      const wanted = Math.round(seconds * ctx.sampleRate);
      const chunks = [];
      let received = 0;
      let offset = Infinity; // wall clock minus audio clock, at its smallest (least delayed)
      let startTime = 0;
      await new Promise((resolve) => {
        recorder.port.onmessage = (event) => {
          const [time, data] = event.data;
          const wall = performance.timeOrigin + performance.now();
          offset = Math.min(offset, wall - (time + data.length / ctx.sampleRate) * 1000);
          if (received === 0) startTime = time;
          chunks.push(data);
          received += data.length;
          if (received >= wanted) resolve();
        };
        setTimeout(resolve, seconds * 1000 + 10000); // a loaded machine renders late
      });
      return {
        rate: ctx.sampleRate, complete: received >= wanted,
        startMs: offset + startTime * 1000,
        pcm: toBase64(concat(chunks, Math.min(received, wanted))),
      };
    } finally {
      await ctx.close();
    }
  }

  window.__guestLab = { recordTimings };
})();
