"""Reconstructed vendor meetings: the lab's stand-ins for Meet, Teams, Zoom, Jitsi, Webex.

Each is a small web app that reproduces a vendor's join screens from public facts
(docs/vendors/), served on the vendor's real host name inside the lab namespace, so a
bot's URL rules, host rules and request guard run as in production. The call itself
runs over a lab Janus, so media flows. They are reconstructions, not the vendors' pages.
"""
