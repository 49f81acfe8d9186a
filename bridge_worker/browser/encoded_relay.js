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
//
// What the worker is given and gives back is always plain Opus. Where a connection
// negotiated RED (RFC 2198: each payload carries the previous frame again, against
// loss), a received payload's primary block is taken, and an outgoing one is built
// again around the forwarded frames (the previous one as its redundant block).
// Forwarded frames are 20 ms: a sender whose own frames are longer steps aside.
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

  // RFC 2198: a 4-byte header per redundant block (F bit set: payload type, timestamp
  // offset, length), then a 1-byte header for the primary; then the blocks, in order.
  function redPrimary(buffer) {
    const bytes = new Uint8Array(buffer);
    let at = 0;
    let redundant = 0;
    while (at < bytes.length && (bytes[at] & 0x80)) {
      if (at + 4 > bytes.length) return null;
      redundant += ((bytes[at + 2] & 0x03) << 8) | bytes[at + 3];
      at += 4;
    }
    if (at >= bytes.length) return null;
    const start = at + 1 + redundant;
    if (start >= bytes.length) return null;
    return { type: bytes[at] & 0x7f, data: buffer.slice(start) };
  }

  function redPayload(type, primary, previous, offset) {
    const head = previous && offset > 0 && offset < 0x4000 && previous.byteLength < 0x400;
    const out = new Uint8Array((head ? 5 + previous.byteLength : 1) + primary.byteLength);
    let at = 0;
    if (head) {
      const length = previous.byteLength;
      out.set([0x80 | type, offset >> 6, ((offset & 0x3f) << 2) | (length >> 8), length & 0xff], 0);
      at = 4;
    }
    out[at] = type;
    at += 1;
    if (head) {
      out.set(new Uint8Array(previous), at);
      at += previous.byteLength;
    }
    out.set(new Uint8Array(primary), at);
    return out.buffer;
  }

  // An Opus packet's duration in 48 kHz samples, from its TOC byte (RFC 6716 3.1).
  function opusSamples(buffer) {
    const bytes = new Uint8Array(buffer);
    if (!bytes.length) return 0;
    const config = bytes[0] >> 3;
    let size;
    if (config < 12) size = [480, 960, 1920, 2880][config % 4];
    else if (config < 16) size = [480, 960][config % 2];
    else size = [120, 240, 480, 960][config % 4];
    const code = bytes[0] & 0x03;
    const count = code === 0 ? 1 : code < 3 ? 2 : (bytes.length > 1 ? bytes[1] & 0x3f : 0);
    return size * count;
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
        const mime = mimeOf(frame);
        if (mime === "audio/opus") {
          say({ kind: "frame", receiver: id, data: toBase64(frame.data) });
        } else if (mime === "audio/red") {
          const primary = redPrimary(frame.data);  // a damaged payload is skipped
          if (primary) say({ kind: "frame", receiver: id, data: toBase64(primary.data) });
        } else {
          fallBack(`codec ${mime}`);
        }
      }
      return frame;
    } : null));
  }

  function mimeOf(frame) {
    const meta = frame.getMetadata ? frame.getMetadata() : {};
    return (meta.mimeType || "audio/opus").toLowerCase();
  }

  // The sender's own frame, replaced by the next forwarded one (wrapped in RED as its
  // own was); `last` is what this sender sent in place of its previous frame.
  function replaced(frame, last) {
    const mime = mimeOf(frame);
    let own = frame.data;
    let red = null;
    if (mime === "audio/red") {
      red = redPrimary(own);
      if (!red) return null;
      own = red.data;
    } else if (mime !== "audio/opus") {
      fallBack(`send codec ${mime}`);
      return null;
    }
    const samples = opusSamples(own);
    if (samples && samples !== 960) {
      fallBack(`send ptime ${samples / 48} ms`);
      return null;
    }
    const next = queue.shift();
    const meta = frame.getMetadata ? frame.getMetadata() : {};
    const timestamp = meta.rtpTimestamp !== undefined ? meta.rtpTimestamp : frame.timestamp;
    if (red) {
      const previous = last && last.timestamp !== undefined ? last : null;
      const offset = previous ? (timestamp - previous.timestamp) >>> 0 : 0;
      frame.data = redPayload(red.type, next, previous && previous.data, offset);
    } else {
      frame.data = next;
    }
    return { data: next, timestamp };
  }

  function tapSender(sender, kind) {
    if (splices.has(sender)) return;
    let streams;
    try { streams = nativeSenderStreams.call(sender); } catch (error) { return; }
    let last = null;  // the forwarded frame sent last, while they follow one another
    splices.set(sender, splice(streams, kind === "audio" ? (frame) => {
      last = relaying && queue.length ? replaced(frame, last) : null;
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
