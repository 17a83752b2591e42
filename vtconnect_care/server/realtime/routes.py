"""The WebSocket endpoint /api/v1/ws (see docs/protocol.md)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

router = APIRouter()


@router.websocket("/ws")
async def realtime(websocket: WebSocket) -> None:
    await websocket.app.state.hub.serve(websocket)
