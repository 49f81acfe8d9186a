"""The top of the house: the `meetbridge` command and the local stack it runs.

It puts the parts together (API, worker, Redis, the room Janus) and nothing imports
it back, except the meeting lab, which runs the same local stack.
"""
