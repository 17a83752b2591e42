"""One call UI for the Care Room and the visit video window.

Both windows are built on this package and keep only their own layout and rules (R-ROOM-*,
R-VISIT-*):

- ``states``: the call phase and the tile state, enums with move tables (Qt-free)
- ``status``: the sentences a call shows and the frame-health judgement (Qt-free)
- ``frames``: the newest remote picture per person (Qt-free)
- ``media``: opening the person's chosen camera, microphone and speakers, a switchable camera
- ``image``: decoded frames and camera samples to QImages, scaled in one step
- ``tiles``: a remote person's tile and the self view; ``grid``: the grid and the frame pacer
- ``controller``: ``CallController``, the QObject that wraps ``CallEngine``

Nothing is imported here, so the Qt-free modules can be used without Qt.
"""
