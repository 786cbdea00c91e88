"""The plan: a versioned, JSON-serializable scene description.

It is what the planner makes from a prompt, what the renderer and the sound layer read,
what is kept with every video (the "scene description" people see) and what a remix
edits. Times are seconds from the start of the video; positions are fractions of the
frame (x to the right, y downward, 0..1).

Version history:
- 1: first version. Later additions are optional fields, so older plans still load:
  ``Subject.accessories`` (things a subject wears, e.g. a character's "red cap").
- 2: places (``SETTINGS`` grew from 14 to over 40), relations between subjects
  (``Subject.relation`` / ``Subject.anchor``: a knight *on* a dragon), things held
  (``Subject.held``: the guitarist's guitar), camera framing (``Camera.target`` /
  ``Camera.zoom``: the camera on whoever speaks), on-screen text (``Shot.titles``),
  whether the place was guessed (``Shot.setting_guessed``) and what unknown words were
  taken as (``Plan.understood``). Version 1 plans load unchanged: every new field is
  optional.
- 3: pictures. ``Plan.image_sha256`` is the SHA-256 of the picture a plan was made with
  (rendering it needs that same picture again), and ``Subject.in_photo`` marks a subject
  the picture itself shows (it is not drawn over it). Older plans load unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

PLAN_VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)

SETTINGS = (
    # outdoors
    "beach", "ocean", "city", "street", "rooftop", "village", "farm", "field", "park",
    "forest", "jungle", "mountains", "snow", "desert", "river", "lake", "waterfall", "cave",
    "castle", "sky", "plain",
    # travel
    "train_platform", "airport",
    # indoors
    "interior", "living_room", "bedroom", "kitchen", "cafe", "bar", "restaurant", "office",
    "classroom", "lab", "garage", "gym", "library", "supermarket", "stage", "concert_hall",
    "stadium",
    # beyond
    "underwater", "space", "space_station", "moon", "mars",
)
TIMES_OF_DAY = ("dawn", "day", "noon", "sunset", "night")
WEATHERS = ("clear", "rain", "snow", "fog", "storm", "wind")
CAMERA_MOVES = (
    "static", "pan_left", "pan_right", "zoom_in", "zoom_out", "dolly_in", "dolly_out",
    "orbit", "handheld", "aerial",
)
STYLES = ("none", "cinematic", "anime", "noir", "vintage", "watercolor", "vaporwave")
MOODS = ("calm", "happy", "playful", "tense", "sad", "epic", "mysterious", "romantic")
ACTIONS = (
    "idle", "walk", "run", "jump", "fly", "swim", "dance", "spin", "surf", "drive",
    "sleep", "talk", "fall", "chase", "slide", "pour", "explode", "splash", "sit", "wave",
    "play",
)
# Where an accessory sits on its subject: on the head (hats), in the hair (a bow, a
# flower), over the eyes (glasses), over the ears (headphones), at the neck (scarf, tie),
# over the body (shirt, coat) or behind the back (backpack).
ANCHORS = ("head", "hair", "eyes", "ears", "neck", "body", "back")
# How a subject is placed against another (its ``anchor``): riding on top of it and
# moving with it, inside it (a car's driver, a cat in a box), under it, beside it,
# turned toward it, behind it (a drummer behind the drums) or at it (sitting at a table).
RELATIONS = ("on", "in", "under", "next_to", "facing", "behind", "at")
# Where a held thing is drawn on its holder: in the hand, or in front of the body (a
# guitar, a cello, a tray).
HOLDS = ("hand", "front")


@dataclass
class Voice:
    """An eSpeak NG voice: variant (e.g. "m3", "f2"), pitch 0-99, rate in words/minute."""

    variant: str = "m1"
    pitch: int = 50
    rate: int = 165
    # A neural voice ("neural": the bundled English voice, reshaped per speaker) or
    # eSpeak NG ("espeak", and for languages the neural voice does not speak).
    engine: str = "espeak"
    hz: float = 0.0  # neural: the median pitch to speak at
    formant: float = 1.0  # neural: vocal-tract scale (>1 smaller, as a woman's or child's)
    effect: str = ""  # "robot" (flat, metallic) or "tremble" (an old voice's waver)


@dataclass
class Held:
    """Something a subject holds or plays in every frame: the guitarist's guitar, the
    photographer's camera. It moves with its holder."""

    item: str  # what it is, in words ("guitar")
    glyph: str  # its OpenMoji artwork
    hold: str = "hand"  # one of ``HOLDS``
    color: tuple[int, int, int] | None = None


@dataclass
class Title:
    """Text the prompt asks to *show*: a title card ("text 'Nova X' appears") or a sign
    in the scene ("a sign that says 'Open'")."""

    text: str
    kind: str = "title"  # "title" (over the picture) or "sign" (a board in the scene)
    start: float = 0.0  # seconds from the start of the video
    end: float = 0.0


@dataclass
class Accessory:
    """Something a subject wears in every frame: "a red cap", "sunglasses"."""

    item: str  # what it is, in words ("cap")
    glyph: str  # its OpenMoji artwork
    anchor: str = "head"  # where it sits on the subject, one of ``ANCHORS``
    color: tuple[int, int, int] | None = None  # tint, e.g. "a red cap"


@dataclass
class Subject:
    id: str  # unique within the plan, e.g. "cat-1"
    noun: str  # the word the prompt used, singular ("cat")
    glyph: str  # the emoji character drawn for it (OpenMoji), "" for a character cutout
    name: str = ""  # display / speaker name, e.g. "the parrot" or a character's name
    character: str | None = None  # a character's handle when this subject is a cameo
    color: tuple[int, int, int] | None = None  # tint, e.g. "a red car"
    scale: float = 0.25  # height as a fraction of the frame height
    x: float = 0.5  # starting position
    y: float = 0.7
    depth: float = 0.5  # 0 = near the camera, 1 = far away (parallax, size)
    action: str = "idle"
    direction: int = 1  # +1 moves right, -1 moves left
    target: str | None = None  # subject id, for "chase"
    voice: Voice | None = None  # set for subjects that speak
    accessories: list[Accessory] = field(default_factory=list)  # what it wears
    held: list[Held] = field(default_factory=list)  # what it holds or plays
    relation: str | None = None  # one of ``RELATIONS``, against ``anchor``
    anchor: str | None = None  # subject id: the dragon a knight rides, the table one sits at
    gender: str | None = None  # "female" / "male" when the prompt says (voices, figures)
    age: str | None = None  # "child" / "adult" / "old" when the prompt says
    # The input picture shows this subject itself (the cat in a photo of a cat): it is
    # not drawn over the picture.
    in_photo: bool = False


@dataclass
class Line:
    """A line of dialogue, spoken by a subject (``speaker`` is its id) or a narrator."""

    text: str
    speaker: str | None = None
    language: str = "en"
    start: float = 0.0
    end: float = 0.0
    # True when the spoken line was longer than the room its shot had and was cut short
    # (with a fade) at the shot's end.
    cut: bool = False


@dataclass
class SoundCue:
    """A sound effect at a moment: steps, jump, splash, engine, whoosh, thunder, ..."""

    name: str
    start: float
    duration: float = 0.3
    subject: str | None = None
    pan: float = 0.0  # -1 left .. +1 right


@dataclass
class Camera:
    move: str = "static"
    strength: float = 1.0  # 0..2, how far the move goes over the shot
    target: str | None = None  # subject id the camera frames (a close-up on a speaker)
    zoom: float = 1.0  # how close the framing on ``target`` is (1 = the whole scene)


@dataclass
class Shot:
    start: float
    duration: float
    description: str = ""
    setting: str = "plain"
    time_of_day: str = "day"
    weather: str = "clear"
    camera: Camera = field(default_factory=Camera)
    subjects: list[Subject] = field(default_factory=list)
    dialogue: list[Line] = field(default_factory=list)
    sound_cues: list[SoundCue] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    setting_guessed: bool = False  # the prompt named no place; ``setting`` was inferred

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class Plan:
    prompt: str
    seed: int
    width: int
    height: int
    fps: int
    seconds: float
    shots: list[Shot]
    style: str = "none"
    mood: str = "calm"
    captions: bool = False
    image: bool = False  # an input image is the backdrop of every shot
    # The SHA-256 of that image: the plan renders only with the same picture.
    image_sha256: str | None = None
    unknown_words: list[str] = field(default_factory=list)
    # What words the engine had no artwork or meaning for were taken as: "falcon" ->
    # "bird", "rooftop bar" -> "rooftop"; shown to the person who wrote the prompt.
    understood: dict[str, str] = field(default_factory=dict)
    language: str = "en"  # the language the prompt was written in
    credits: list[str] = field(default_factory=list)
    version: int = PLAN_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Rebuild a plan from JSON; raises ``ValueError`` with a plain sentence if the
        data is not a plan this version understands."""
        if not isinstance(data, dict):
            raise ValueError("A plan must be a JSON object.")
        version = data.get("version", PLAN_VERSION)
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"Plan version {version} is not supported (expected one of "
                f"{', '.join(map(str, SUPPORTED_VERSIONS))}).")
        try:
            shots = [_shot_from_dict(s) for s in data["shots"]]
            plan = cls(
                **{
                    k: data[k]
                    for k in _field_names(cls)
                    if k in data and k != "shots"
                },
                shots=shots,
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"The plan is missing or has a malformed field: {exc}.") from exc
        return plan


def _field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def _pick(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in _field_names(cls) if k in data}


def _shot_from_dict(data: dict[str, Any]) -> Shot:
    subjects = []
    for s in data.get("subjects", []):
        values = _pick(Subject, s)
        if values.get("color") is not None:
            values["color"] = tuple(values["color"])
        if values.get("voice") is not None:
            values["voice"] = Voice(**_pick(Voice, values["voice"]))
        values["accessories"] = [_accessory_from_dict(a) for a in s.get("accessories") or []]
        values["held"] = [_held_from_dict(h) for h in s.get("held") or []]
        subjects.append(Subject(**values))
    values = _pick(Shot, data)
    values["camera"] = Camera(**_pick(Camera, data.get("camera", {})))
    values["subjects"] = subjects
    values["dialogue"] = [Line(**_pick(Line, d)) for d in data.get("dialogue", [])]
    values["sound_cues"] = [SoundCue(**_pick(SoundCue, c)) for c in data.get("sound_cues", [])]
    values["titles"] = [Title(**_pick(Title, t)) for t in data.get("titles", [])]
    return Shot(**values)


def _accessory_from_dict(data: dict[str, Any]) -> Accessory:
    values = _pick(Accessory, data)
    if values.get("color") is not None:
        values["color"] = tuple(values["color"])
    return Accessory(**values)


def _held_from_dict(data: dict[str, Any]) -> Held:
    values = _pick(Held, data)
    if values.get("color") is not None:
        values["color"] = tuple(values["color"])
    return Held(**values)
