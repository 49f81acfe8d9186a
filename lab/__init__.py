"""The meeting lab: vendor meetings, people and media analysis that run on this machine.

Private Janus servers stand in for vendors' meeting servers, the Janus demo site for
their web client, and simulated people (Chromium with fake devices, or light aiortc
clients) join them and report what they hear and see. The tests, the benchmarks and
`make demo` import it; it runs only inside the lab's private network namespace
(`infra/lab/netns-run`), so media never touches a real interface.
"""
