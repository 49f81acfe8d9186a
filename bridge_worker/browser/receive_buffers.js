// meetbridge: how long the bot's browser holds what it receives from its meeting
// before playing it (WebRTC jitter buffers). The vendor's page owns its peer
// connections; this keeps a weak list of them as they are made, so the worker can
// read their receive statistics (the buffers grow when the bot's machine is starved,
// and that delay is part of every bridged word).
(() => {
  if (window.__meetbridgeReceiveTotals || !window.RTCPeerConnection) return;
  const connections = [];
  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args, newTarget) {
      const pc = Reflect.construct(target, args, newTarget);
      connections.push(new WeakRef(pc));
      return pc;
    },
  });
  // The page's open connections, for diagnostics (bench.camera_path reads its sender).
  window.__meetbridgeConnections = () =>
    connections.map((ref) => ref.deref()).filter((pc) => pc && pc.connectionState !== "closed");
  // Running totals per kind over every open connection's inbound streams: samples or
  // frames emitted, the seconds they waited (summed), and for audio the samples
  // received, concealed, and removed or inserted to resize the buffer, and the packets
  // received and discarded (late, or flushed to shrink a swelled buffer), as getStats
  // counts them.
  window.__meetbridgeReceiveTotals = async () => {
    const totals = {};
    for (const ref of connections.slice()) {
      const pc = ref.deref();
      if (!pc || pc.connectionState === "closed") {
        connections.splice(connections.indexOf(ref), 1);
        continue;
      }
      (await pc.getStats()).forEach((r) => {
        if (r.type !== "inbound-rtp" || !r.jitterBufferEmittedCount) return;
        const total = (totals[r.kind] ||= {
          emitted: 0, buffer: 0, target: 0, minimum: 0,
          samples: 0, concealed: 0, accelerated: 0, decelerated: 0,
          packets: 0, discarded: 0,
        });
        total.emitted += r.jitterBufferEmittedCount;
        total.buffer += r.jitterBufferDelay || 0;
        total.target += r.jitterBufferTargetDelay || 0;
        total.minimum += r.jitterBufferMinimumDelay || 0;
        // Audio only: what NetEq made up for missing packets, and what it removed or
        // stretched to bring its buffer to its target.
        total.samples += r.totalSamplesReceived || 0;
        total.concealed += r.concealedSamples || 0;
        total.accelerated += r.removedSamplesForAcceleration || 0;
        total.decelerated += r.insertedSamplesForDeceleration || 0;
        total.packets += r.packetsReceived || 0;
        total.discarded += r.packetsDiscarded || 0;
      });
    }
    return totals;
  };
})();
