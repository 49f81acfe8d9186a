// meetbridge's encoded audio relay, in a bot's page (bridge_worker/browser/page_relay.py).
//
// Taps the meeting's encoded audio frames as they arrive, before the jitter buffer, and
// hands them to the worker; sends frames the worker forwards (another meeting's) as
// this bot's own, in place of its own encoder's output (a queue of at most 2; on
// underrun the bot's own frame goes out: its microphone is still fed by the devices
// path). Every peer connection is made with encoded streams on, so every sender and
// receiver is spliced (video and untapped ones pass untouched); a vendor page that asks
// for encoded streams itself (its own transform, or end-to-end encryption) gets them,
// spliced in, and the relay falls back to the devices path, saying why.
(() => {
  const out = window.__mbRelayOut;  // the worker's CDP binding, there only when relay is on
  if (typeof out !== "function") return;
  try { delete window.__mbRelayOut; } catch (error) { /* a non-configurable binding */ }
  const NativePC = window.RTCPeerConnection;
  const nativeSenderStreams = RTCRtpSender.prototype.createEncodedStreams;
  const nativeReceiverStreams = RTCRtpReceiver.prototype.createEncodedStreams;
  const QUEUE_MAX = 2;
  const queue = [];  // forwarded frames (ArrayBuffer) waiting to go out as this bot's own
  const splices = new WeakMap();  // sender or receiver -> its splice
  let relaying = true;
  let receiverIds = 0;
  const say = (message) => out(JSON.stringify(message));

  function fallBack(reason) {
    if (!relaying) return;
    relaying = false;
    queue.length = 0;
    say({ kind: "fallback", reason });
  }

  function toBase64(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  function fromBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  // Frames: the real readable -> onFrame -> (the vendor's transform, once it asks) ->
  // the real writable.
  function splice(streams, onFrame) {
    const writer = streams.writable.getWriter();
    const reader = streams.readable.getReader();
    let vendor = null;  // the controller of the readable the vendor was given
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const frame = onFrame ? onFrame(value) : value;
        if (vendor) vendor.enqueue(frame); else writer.write(frame).catch(() => {});
      }
    })().catch(() => {});
    return {
      handOver() {
        let controller;
        const readable = new ReadableStream({ start(c) { controller = c; } });
        vendor = controller;
        const writable = new WritableStream({ write: (frame) => writer.write(frame) });
        return { readable, writable };
      },
    };
  }

  function tapReceiver(receiver) {
    if (splices.has(receiver)) return;
    let streams;
    try { streams = nativeReceiverStreams.call(receiver); } catch (error) { return fallBack("receiver_streams_taken"); }
    const audio = receiver.track && receiver.track.kind === "audio";
    const id = audio ? (receiverIds += 1) : 0;
    splices.set(receiver, splice(streams, audio ? (frame) => {
      if (relaying) {
        const meta = frame.getMetadata ? frame.getMetadata() : {};
        if (meta.mimeType && meta.mimeType.toLowerCase() !== "audio/opus") {
          fallBack(`codec ${meta.mimeType}`);
        } else {
          say({ kind: "frame", receiver: id, data: toBase64(frame.data) });
        }
      }
      return frame;
    } : null));
  }

  function tapSender(sender, kind) {
    if (splices.has(sender)) return;
    let streams;
    try { streams = nativeSenderStreams.call(sender); } catch (error) { return; }
    splices.set(sender, splice(streams, kind === "audio" ? (frame) => {
      if (!relaying) return frame;
      if (queue.length) frame.data = queue.shift();
      return frame;
    } : null));
  }

  function tapAll(pc) {
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track ? transceiver.receiver.track.kind : null;
      tapSender(transceiver.sender, (transceiver.sender.track && transceiver.sender.track.kind) || kind);
    }
  }

  class RelayedPeerConnection extends NativePC {
    constructor(config, ...rest) {
      super({ ...(config || {}), encodedInsertableStreams: true }, ...rest);
      // Ours first, synchronously: a receiver's streams must be made as its track comes.
      this.addEventListener("track", (event) => tapReceiver(event.receiver));
    }

    addTrack(track, ...streams) {
      const sender = super.addTrack(track, ...streams);
      tapSender(sender, track.kind);
      return sender;
    }

    addTransceiver(trackOrKind, init) {
      const transceiver = super.addTransceiver(trackOrKind, init);
      const kind = typeof trackOrKind === "string" ? trackOrKind : trackOrKind.kind;
      tapSender(transceiver.sender, kind);
      return transceiver;
    }

    async setLocalDescription(...args) {
      const result = await super.setLocalDescription(...args);
      tapAll(this);
      return result;
    }

    async setRemoteDescription(...args) {
      const result = await super.setRemoteDescription(...args);
      tapAll(this);
      return result;
    }
  }

  // A vendor that asks for encoded streams gets them (spliced behind ours); its frames
  // are its own (encrypted, or changed): the relay steps aside.
  function vendorStreams(native, reason) {
    return function createEncodedStreams() {
      const spliced = splices.get(this);
      if (!spliced) return native.call(this);
      fallBack(reason);
      return spliced.handOver();
    };
  }
  RTCRtpSender.prototype.createEncodedStreams = vendorStreams(nativeSenderStreams, "vendor_sender_transform");
  RTCRtpReceiver.prototype.createEncodedStreams = vendorStreams(nativeReceiverStreams, "vendor_receiver_transform");
  for (const Kind of [RTCRtpSender, RTCRtpReceiver]) {
    const property = Object.getOwnPropertyDescriptor(Kind.prototype, "transform");
    if (property && property.set) {
      Object.defineProperty(Kind.prototype, "transform", {
        ...property,
        set(value) { fallBack("vendor_script_transform"); property.set.call(this, value); },
      });
    }
  }
  window.RTCPeerConnection = RelayedPeerConnection;
  if (window.webkitRTCPeerConnection) window.webkitRTCPeerConnection = RelayedPeerConnection;

  // The worker's side: a forwarded frame to send.
  Object.defineProperty(window, "__mbRelayIn", {
    value(data) {
      if (!relaying) return;
      queue.push(fromBase64(data));
      while (queue.length > QUEUE_MAX) queue.shift();
    },
  });
})();
