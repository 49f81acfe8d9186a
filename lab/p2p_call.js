// A two-party call over one RTCPeerConnection, signalled by the test that drives both
// pages (lab only). Unlike the lab's Janus meetings, it can negotiate what vendors'
// servers do and Janus does not: RED (RFC 2198) and packet durations (ptime).
window.p2p = {
  // toneHz: send an oscillator's tone instead of the microphone; red: put RED first
  // (or leave it out); ptime: ask the other side for packets of this many ms; spy:
  // count the codecs of the frames sent and received (`mimes`), through encoded streams
  // (not in a bot's page: its relay would step aside).
  async start({ toneHz = 0, red = false, ptime = 0, spy = false } = {}) {
    this.spy = spy;
    this.mimes = { sent: {}, received: {} };
    this.ptime = ptime;
    const mic = await navigator.mediaDevices.getUserMedia({ audio: true });  // host candidates
    let track = mic.getAudioTracks()[0];
    if (toneHz) {
      const context = new AudioContext();
      const oscillator = context.createOscillator();
      oscillator.frequency.value = toneHz;
      const out = context.createMediaStreamDestination();
      oscillator.connect(out);
      oscillator.start();
      track = out.stream.getAudioTracks()[0];
    }
    this.track = track;
    const codecs = RTCRtpSender.getCapabilities("audio").codecs;
    const isRed = (codec) => codec.mimeType.toLowerCase() === "audio/red";
    this.codecs = red
      ? [...codecs.filter(isRed), ...codecs.filter((c) => !isRed(c))]
      : codecs.filter((c) => !isRed(c));
    this.pc = new RTCPeerConnection(spy ? { encodedInsertableStreams: true } : {});
    this.pc.ontrack = (event) => {
      if (this.spy) this.count(event.receiver.createEncodedStreams(), this.mimes.received);
      this.remote = new MediaStream([event.track]);
      const element = new Audio();  // WebAudio hears a remote track only while it plays
      element.muted = true;
      element.srcObject = this.remote;
      element.play();
    };
  },

  async describe(description) {
    await this.pc.setLocalDescription(description);
    if (this.pc.iceGatheringState !== "complete") {
      await new Promise((done) => this.pc.addEventListener("icegatheringstatechange", () => {
        if (this.pc.iceGatheringState === "complete") done();
      }));
    }
    const sdp = this.pc.localDescription.sdp;
    return this.ptime ? sdp.replace(/(m=audio[^\r\n]*\r\n)/, `$1a=ptime:${this.ptime}\r\n`) : sdp;
  },

  count(streams, counts) {
    streams.readable.pipeThrough(new TransformStream({
      transform(frame, controller) {
        const mime = (frame.getMetadata().mimeType || "?").toLowerCase();
        counts[mime] = (counts[mime] || 0) + 1;
        controller.enqueue(frame);
      },
    })).pipeTo(streams.writable);
  },

  // Our sound on `transceiver`, in both directions, with our codec preferences.
  async send(transceiver) {
    if (this.spy) this.count(transceiver.sender.createEncodedStreams(), this.mimes.sent);
    transceiver.direction = "sendrecv";
    await transceiver.sender.replaceTrack(this.track);
    transceiver.setCodecPreferences(this.codecs);
  },

  async offer() {
    await this.send(this.pc.addTransceiver("audio"));
    return this.describe();
  },

  async answer(sdp) {
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    await this.send(this.pc.getTransceivers()[0]);  // the one the offer made
    return this.describe();
  },

  async accept(sdp) { await this.pc.setRemoteDescription({ type: "answer", sdp }); },

  // The loudest frequency in what the other side sends, over `seconds` (null if silent).
  async heardHz(seconds) {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 16384;
    context.createMediaStreamSource(this.remote).connect(analyser);
    await new Promise((done) => setTimeout(done, seconds * 1000));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length; i += 1) if (bins[i] > bins[best]) best = i;
    await context.close();
    return bins[best] > -70 ? (best * context.sampleRate) / analyser.fftSize : null;
  },
};
