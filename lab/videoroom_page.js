// Injected (as a Playwright init script) into the Janus VideoRoom demo page
// (videoroomtest.html) of a simulated person. It does two things:
//  1. turns off the browser's voice processing (noise suppression, AGC, echo
//     cancellation) for the microphone: it treats a steady test tone as noise and
//     fades it out within seconds (seen: -9 dBFS -> -29 dBFS in 5 s);
//  2. defines `window.__lab`, so tests can ask what this participant receives.
//
// The demo's DOM for remote participant i (1..5): label `#remote{i}` (display
// name), panel `#videoremote{i}` holding a `<video>` and a hidden `<audio>` per
// remote track; the subscriber handles are the page globals `feeds[i]`
// (janus.js plugin handles; their RTCPeerConnection is `webrtcStuff.pc`).
(() => {
  "use strict";
  const MAX_REMOTES = 5;
  const RECORDER = "lab-recorder";
  // Posts each render quantum of its (mono, mixed) input to the page, with the audio
  // clock's time of the quantum; with no input connected (nobody to hear) it posts
  // silence, so recording still ends.
  const RECORDER_SOURCE = `
    class LabRecorder extends AudioWorkletProcessor {
      process(inputs) {
        const channel = inputs[0] && inputs[0][0];
        this.port.postMessage([currentTime, channel ? channel.slice(0) : new Float32Array(128)]);
        return true;
      }
    }
    registerProcessor(${JSON.stringify(RECORDER)}, LabRecorder);`;

  // A running recorder of `tracks` (mixed to mono) in `ctx`.
  async function startRecorder(ctx, tracks) {
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
    recorder.connect(mute).connect(ctx.destination);  // keeps the graph pulled
    for (const track of tracks) {
      ctx.createMediaStreamSource(new MediaStream([track])).connect(recorder);
    }
    return recorder;
  }

  const RAW_AUDIO = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };

  function rawMicrophone() {
    const devices = navigator.mediaDevices;
    if (!devices || !devices.getUserMedia) return;
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => {
      if (constraints && constraints.audio) {
        const audio = constraints.audio === true ? {} : { ...constraints.audio };
        constraints = { ...constraints, audio: { ...audio, ...RAW_AUDIO } };
      }
      return getUserMedia(constraints);
    };
  }

  function remoteIndex(name) {
    for (let i = 1; i <= MAX_REMOTES; i++) {
      const label = document.getElementById("remote" + i);
      const feed = window.feeds && window.feeds[i];
      if (feed && label && label.textContent.trim() === name) return i;
    }
    return 0;
  }

  // Display names of the remote participants currently shown.
  function remoteNames() {
    const names = [];
    for (let i = 1; i <= MAX_REMOTES; i++) {
      const label = document.getElementById("remote" + i);
      if (window.feeds && window.feeds[i] && label) names.push(label.textContent.trim());
    }
    return names;
  }

  function remoteVideo(index) {
    return index > 0 ? document.querySelector("#videoremote" + index + " video") : null;
  }

  function isPlaying(video) {
    return !!video && !video.paused && video.readyState >= 2 &&
      video.videoWidth > 0 && video.currentTime > 0;
  }

  function participantPlaying(name) {
    return isPlaying(remoteVideo(remoteIndex(name)));
  }

  function localPreviewPlaying() {
    return isPlaying(document.querySelector("#videolocal video"));
  }

  // The live audio tracks of every subscription: what this person hears, mixed.
  function remoteAudioTracks() {
    const tracks = [];
    for (const feed of window.feeds || []) {
      const pc = feed && feed.webrtcStuff && feed.webrtcStuff.pc;
      if (!pc) continue;
      for (const receiver of pc.getReceivers()) {
        const track = receiver.track;
        if (track && track.kind === "audio" && track.readyState === "live") tracks.push(track);
      }
    }
    return tracks;
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

  // Record `seconds` of all remote audio mixed to mono; resolves to
  // {rate, tracks, complete, pcm: base64 little-endian float32}. `complete` is
  // false when the audio clock stalled: then the zeros are *not* silence.
  async function recordRemoteAudio(seconds) {
    const tracks = remoteAudioTracks();
    const ctx = new AudioContext({ sampleRate: 48000 });
    const wanted = Math.round(seconds * ctx.sampleRate);
    try {
      const recorder = await startRecorder(ctx, tracks);
      const chunks = [];
      let received = 0;
      await new Promise((resolve) => {
        recorder.port.onmessage = (event) => {
          const data = event.data[1];
          chunks.push(data);
          received += data.length;
          if (received >= wanted) resolve();
        };
        setTimeout(resolve, seconds * 1000 + 2000);  // a stalled audio clock
      });
      return {
        rate: ctx.sampleRate, tracks: tracks.length, complete: received >= wanted,
        pcm: toBase64(concat(chunks, wanted)),
      };
    } finally {
      await ctx.close();
    }
  }

  // Mean RGB of the participant's current video frame: its vertical middle half, and
  // horizontally from `left` to `right` (fractions of the width: the centre by default).
  function meanColour(name, left = 0.25, right = 0.75) {
    const video = remoteVideo(remoteIndex(name));
    if (!isPlaying(video)) return null;
    const w = video.videoWidth, h = video.videoHeight;
    const cw = Math.max(1, Math.floor(w * (right - left))), ch = Math.max(1, Math.floor(h / 2));
    const canvas = document.createElement("canvas");
    canvas.width = cw;
    canvas.height = ch;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    g.drawImage(video, Math.floor(w * left), Math.floor(h / 4), cw, ch, 0, 0, cw, ch);
    const data = g.getImageData(0, 0, cw, ch).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2];
    }
    const pixels = data.length / 4;
    return sum.map((s) => Math.round(s / pixels));
  }

  // The published (local) track of `kind`, as sent: the sender's end of a latency.
  function localTrack(kind) {
    const pc = window.sfutest && window.sfutest.webrtcStuff && window.sfutest.webrtcStuff.pc;
    if (!pc) return null;
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === kind);
    return sender ? sender.track : null;
  }

  function participantAudioTrack(index) {
    const feed = window.feeds && window.feeds[index];
    const pc = feed && feed.webrtcStuff && feed.webrtcStuff.pc;
    if (!pc) return null;
    const receiver = pc.getReceivers().find((r) => r.track && r.track.kind === "audio");
    return receiver ? receiver.track : null;
  }

  function wallNow() {
    return performance.timeOrigin + performance.now();
  }

  // For latency measurements: `seconds` of one participant's audio (PCM, and the
  // wall-clock time of its first sample) and the mean luma of each video frame shown
  // (with its wall-clock time). `name` null: what this person sends.
  async function recordTimings(name, seconds) {
    const index = name === null ? 0 : remoteIndex(name);
    if (name !== null && index === 0) throw new Error("no participant " + name);
    const audioTrack = name === null ? localTrack("audio") : participantAudioTrack(index);
    const video = name === null
      ? document.querySelector("#videolocal video") : remoteVideo(index);
    if (!audioTrack || !video) throw new Error("no audio or video for " + name);
    const ctx = new AudioContext({ sampleRate: 48000 });
    const frames = [];
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 18;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    let watching = true;
    const onFrame = (now) => {
      if (!watching) return;
      g.drawImage(video, 0, 0, canvas.width, canvas.height);
      const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) {
        sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      }
      frames.push([performance.timeOrigin + now, sum / (data.length / 4)]);
      video.requestVideoFrameCallback(onFrame);
    };
    try {
      const recorder = await startRecorder(ctx, [audioTrack]);
      const wanted = Math.round(seconds * ctx.sampleRate);
      const chunks = [];
      let received = 0;
      let offset = Infinity;  // wall clock minus audio clock, at its smallest (least delayed)
      let startTime = 0;
      video.requestVideoFrameCallback(onFrame);
      await new Promise((resolve) => {
        recorder.port.onmessage = (event) => {
          const [time, data] = event.data;
          offset = Math.min(offset, wallNow() - (time + data.length / ctx.sampleRate) * 1000);
          if (received === 0) startTime = time;
          chunks.push(data);
          received += data.length;
          if (received >= wanted) resolve();
        };
        setTimeout(resolve, seconds * 1000 + 10000);  // a loaded machine renders late
      });
      watching = false;
      return {
        rate: ctx.sampleRate, complete: received >= wanted,
        startMs: offset + startTime * 1000,
        pcm: toBase64(concat(chunks, Math.min(received, wanted))), frames,
      };
    } finally {
      watching = false;
      await ctx.close();
    }
  }

  // Leave for real: destroy the Janus session (else a ghost participant keeps a
  // publisher slot until the session times out). No `destroyed` callback, which
  // in the demo would reload the page.
  function leave(timeoutMs) {
    return new Promise((resolve) => {
      if (!window.janus) return resolve(false);
      const done = () => resolve(true);
      setTimeout(() => resolve(false), timeoutMs);
      window.janus.destroy({ notifyDestroyed: false, success: done, error: done });
    });
  }

  rawMicrophone();
  // How long `name`'s media waits in this browser before it plays: the jitter
  // buffers' running totals (seconds, summed over emitted samples or frames). Audio's
  // target includes what lip sync adds to wait for the video; minimum is what the
  // jitter alone asks for.
  async function receiveDelays(name) {
    const feed = window.feeds && window.feeds[remoteIndex(name)];
    const pc = feed && feed.webrtcStuff && feed.webrtcStuff.pc;
    if (!pc) return null;
    const out = {};
    (await pc.getStats()).forEach((r) => {
      if (r.type !== "inbound-rtp" || !r.jitterBufferEmittedCount) return;
      out[r.kind] = {
        emitted: r.jitterBufferEmittedCount,
        buffer: r.jitterBufferDelay || 0,
        target: r.jitterBufferTargetDelay || 0,
        minimum: r.jitterBufferMinimumDelay || 0,
      };
    });
    return out;
  }

  window.__lab = {
    remoteIndex, remoteNames, participantPlaying, localPreviewPlaying, remoteAudioTracks,
    recordRemoteAudio, meanColour, leave, recordTimings, receiveDelays,
  };
})();
