"""A long film made cheaply: many scenes of many shots whose approved takes reuse a few small real clips.

Rows are written as the app would have them after rendering (shot versions, clips, a finished and approved
take per scene); the media is a handful of stored MP4s, each reused by many clip rows. Some scenes can be
left without a take, so the film shows them as slates.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rushes.store import models as m


def build_film(rushes, account_id: int, clips: list[bytes], scenes: int, shots_per_scene: int, seconds: float,
               name: str = "Long film", slate_scenes: tuple[int, ...] = (), width: int = 320, height: int = 180) -> dict:
    """Write the film; returns {project_id, scene_ids, shot_count, keys}. `slate_scenes`: scene numbers with no take."""
    keys = [rushes.media.put(data, "mp4") for data in clips]
    now = datetime.now(timezone.utc)
    with rushes.db.session() as session:
        project = m.Project(account_id=account_id, name=name, style="", logline="A film made of reused clips")
        session.add(project)
        session.flush()
        rows = [m.Scene(project_id=project.id, number=n, title=f"Scene {n}", synopsis="") for n in range(1, scenes + 1)]
        session.add_all(rows)
        session.flush()
        shots = {scene.id: [m.Shot(scene_id=scene.id) for _ in range(shots_per_scene)] for scene in rows}
        session.add_all([s for group in shots.values() for s in group])
        session.flush()
        versions, clip_rows = [], []
        for scene in rows:
            for position, shot in enumerate(shots[scene.id]):
                code = f"{scene.number}-{position + 1}"[:10]
                versions.append(m.ShotVersion(shot_id=shot.id, version=1, position=position, code=code, duration=seconds))
                if scene.number not in slate_scenes:
                    index = (scene.number * shots_per_scene + position) % len(keys)
                    clip_rows.append(m.Clip(shot_id=shot.id, version=1, media_key=keys[index], duration=seconds, fps=24,
                                            width=width, height=height, provider="mock", model="mock", inputs={},
                                            inputs_digest=f"{shot.id:064d}"))
        session.add_all(versions + clip_rows)
        session.flush()
        clip_of = {c.shot_id: c for c in clip_rows}
        takes = {scene.id: m.Take(scene_id=scene.id, number=1, idempotency_key=f"film-{scene.id}", render={},
                                  finished_at=now, approved_at=now)
                 for scene in rows if scene.number not in slate_scenes}
        session.add_all(takes.values())
        session.flush()
        slots = []
        for scene in rows:
            if scene.id not in takes:
                continue
            for position, shot in enumerate(shots[scene.id]):
                clip = clip_of[shot.id]
                slots.append(m.TakeSlot(take_id=takes[scene.id].id, shot_id=shot.id, position=position,
                                        code=f"{scene.number}-{position + 1}"[:10], duration=seconds,
                                        inputs={}, inputs_digest=clip.inputs_digest, clip_id=clip.id, reused=False))
        session.add_all(slots)
        session.flush()
        return {"project_id": project.id, "scene_ids": [s.id for s in rows], "shot_count": len(slots), "keys": keys,
                "clip_index": {(s.id, p): (next(i for i, k in enumerate(keys) if k == clip_of[sh.id].media_key))
                               for s in rows if s.number not in slate_scenes for p, sh in enumerate(shots[s.id])}}
