// meetbridge: the bot's browser plays each participant's voice and video as soon as
// each is ready, instead of lip-syncing them. A browser holds a stream's video back
// until its audio (jitter buffer + output) has caught up; for a person that is right,
// but the bot only relays what it receives, and the held video then travels the whole
// video path on top, so the far side saw the picture well after the sound
// (docs/video.md). Chromium syncs the tracks that share a stream id (msid), so each
// audio track is given a stream of its own in the remote description.
// Only for vendors whose page handles remote tracks one by one (see the vendor module).
(() => {
  if (window.__meetbridgeUnsyncedReceive || !window.RTCPeerConnection) return;
  window.__meetbridgeUnsyncedReceive = true;
  const MSID_MAX = 64; // RFC 8830: an msid id is at most 64 characters
  const own = (id) => (id === "-" ? id : `mb-audio-${id}`.slice(0, MSID_MAX));

  // `sdp` with each audio section's stream ids made its own.
  const separateAudio = (sdp) =>
    sdp
      .split(/(?=^m=)/m)
      .map((section) =>
        section.startsWith("m=audio")
          ? section
              .replace(/^(a=msid:)(\S+)/gm, (_, head, id) => head + own(id))
              .replace(/^(a=ssrc:\d+ msid:)(\S+)/gm, (_, head, id) => head + own(id))
          : section
      )
      .join("");

  const original = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (description, ...rest) {
    if (description && typeof description.sdp === "string") {
      description = { type: description.type, sdp: separateAudio(description.sdp) };
    }
    return original.call(this, description, ...rest);
  };
})();
