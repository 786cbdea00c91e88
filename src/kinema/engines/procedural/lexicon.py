"""The words the planner understands: subjects (every noun with an OpenMoji glyph, via the
names and aliases of the ``emoji`` package), colours, sizes, placements, actions,
settings, times of day, weather, camera moves, styles, moods and languages."""

from __future__ import annotations

import re
from functools import cache

import emoji

# Words that carry grammar, not content: never reported as unknown, never subjects.
STOPWORDS = frozenset(
    [
        "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "into", "onto", "over",
        "under", "through", "across", "along", "around", "with", "without", "by", "for", "from",
        "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "it's", "he", "she",
        "they", "them", "his", "her", "their", "this", "that", "these", "those", "there", "here",
        "while", "then", "than", "very", "so", "too", "some", "any", "up", "down", "out", "off",
        "near", "next", "toward", "towards", "behind", "above", "below", "between", "beside",
        "among", "who", "which", "what", "where", "when", "how", "while", "also", "just", "really",
        "quite", "one's", "has", "have", "had", "do", "does", "did", "can", "could", "will",
        "would", "shall", "should", "may", "might", "must", "i", "you", "we", "me", "my", "your",
        "our", "us", "him", "itself", "themselves", "each", "every", "other", "another", "shot",
        "scene", "video", "clip", "view", "image", "picture", "frame", "shows", "showing", "show",
        "together", "slowly", "quickly", "fast", "gently", "happily", "sadly", "softly", "loudly",
        "back", "forth", "again", "lot", "lots", "full", "filled", "onto", "upon", "about", "like",
        "make", "makes", "add", "adds", "style", "styled", "instead", "turn", "replace", "let",
        "now", "please", "version", "everything", "all", "both", "same", "pov", "you're",
        "i'm", "we're", "they're", "he's", "she's", "it's", "there's", "if", "only", "when",
        "because", "until", "after", "before", "ever", "never", "not", "no", "yes", "into",
        "hyper", "realistic", "hyperrealistic", "photorealistic", "4k", "8k", "hd", "ultra",
        "high", "quality", "detailed", "beautiful", "vertical", "horizontal",
        "outside", "outdoors", "somewhere", "everywhere", "anywhere", "nearby", "away",
        "around", "toward", "towards", "across", "past", "within", "beyond", "upon",

        "camera", "cameras", "shot", "shots", "angle", "lens", "footage", "style", "scene",
        "framing", "frame", "view", "moment", "seconds", "second",
    ]
)

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "pair": 2, "couple": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "several": 3, "few": 3, "many": 6, "lots": 6, "dozen": 8, "some": 3,
}
MAX_COUNT = 8

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40), "crimson": (190, 20, 50), "orange": (245, 140, 30),
    "yellow": (245, 215, 40), "gold": (230, 180, 40), "golden": (230, 180, 40),
    "green": (50, 170, 70), "lime": (150, 220, 50), "teal": (30, 150, 150),
    "cyan": (40, 200, 220), "blue": (40, 90, 220), "navy": (25, 40, 120),
    "purple": (140, 60, 190), "violet": (150, 80, 220), "pink": (245, 120, 180),
    "magenta": (220, 40, 180), "brown": (130, 80, 40), "black": (30, 30, 30),
    "white": (245, 245, 245), "grey": (128, 128, 128), "gray": (128, 128, 128),
    "silver": (190, 195, 200), "beige": (220, 200, 160),
}

SIZES: dict[str, float] = {
    "tiny": 0.45, "small": 0.65, "little": 0.7, "baby": 0.7, "mini": 0.55,
    "big": 1.4, "large": 1.4, "huge": 1.8, "giant": 2.1, "enormous": 2.1, "massive": 2.0,
}

# Placement phrases -> (x, y, depth) overrides; None keeps the planner's choice.
PLACEMENTS: dict[str, tuple[float | None, float | None, float | None]] = {
    "on the left": (0.25, None, None), "to the left": (0.25, None, None),
    "on the right": (0.75, None, None), "to the right": (0.75, None, None),
    "in the middle": (0.5, None, None), "in the center": (0.5, None, None),
    "in the centre": (0.5, None, None),
    "in the sky": (None, 0.25, 0.6), "in the air": (None, 0.3, 0.5),
    "above": (None, 0.25, 0.6), "overhead": (None, 0.2, 0.6),
    "in the background": (None, 0.6, 0.85), "far away": (None, 0.6, 0.9),
    "in the distance": (None, 0.6, 0.9),
    "in the foreground": (None, 0.85, 0.1), "up close": (None, 0.8, 0.05),
    "close up": (None, 0.8, 0.05), "close-up": (None, 0.8, 0.05),
}

# Verb forms -> action.
ACTION_WORDS: dict[str, str] = {}
for _action, _forms in {
    "walk": "walk walks walking walked stroll strolls strolling wander wanders wandering "
            "hike hikes hiking march marches marching",
    "run": "run runs running ran race races racing sprint sprints sprinting jog jogs jogging "
           "gallop gallops galloping dash dashes dashing charge charges charging rush rushes "
           "rushing flee flees fleeing escape escapes escaping zoom zooms zooming",
    "jump": "jump jumps jumping jumped hop hops hopping bounce bounces bouncing leap leaps "
            "leaping trick tricks flip flips flipping backflip backflips cheer cheers "
            "cheering celebrate celebrates celebrating clap claps clapping skip skips "
            "skipping play playing plays kickflip ollie",
    "fly": "fly flies flying flew soar soars soaring float floats floating hover hovers "
           "hovering glide glides gliding flutter flutters fluttering swoop swoops swooping "
           "levitate levitates levitating",
    "swim": "swim swims swimming swam dive dives diving paddle paddles paddling",
    "dance": "dance dances dancing danced boogie party partying groove grooves grooving "
             "twerk twerks vibing vibe vibes breakdance breakdancing waltz waltzes "
             "tango perform performs performing",
    "spin": "spin spins spinning spun twirl twirls twirling rotate rotates rotating",
    "surf": "surf surfs surfing surfed",
    "drive": "drive drives driving drove ride rides riding roll rolls rolling cruise cruises "
             "cruising",
    "sleep": "sleep sleeps sleeping slept nap naps napping snooze snoozes snoozing rest "
             "rests resting dream dreams dreaming",
    "talk": "talk talks talking chat chats chatting sing sings singing argue argues "
            "arguing gossip gossips explain explains explaining interview interviews "
            "rap raps rapping preach present presents presenting scream screams screaming "
            "shout shouts shouting yell yells yelling bark barks barking meow meows "
            "meowing roar roars roaring",
    "fall": "fall falls falling fell drop drops dropping tumble tumbles tumbling",
    "chase": "chase chases chasing chased follow follows following pursue pursues pursuing",
    "slide": "slide slides sliding slid skate skates skating glide-down skid skids skidding "
             "ski skis skiing sled sleds sledding snowboard snowboarding drift drifts "
             "drifting rollerblade rollerblading",
    "pour": "pour pours pouring poured spill spills spilling tip tips tipping",
    "explode": "explode explodes exploding exploded burst bursts bursting blow-up erupt "
               "erupts erupting shatter shatters shattering pop pops popping",
    "splash": "splash splashes splashing splashed dunk dunks plunge plunges wade wades "
              "wading",
    "sit": "sit sits sitting sat seated kneel kneels kneeling squat squats squatting",
    "wave": "wave waves waving waved greet greets greeting",
    "play": "strum strums strumming drum drums drumming",
    "idle": "stand stands standing stood wait waits waiting watch "
            "watches watching watched look looks looking stare stares staring smile smiles "
            "smiling see sees seeing saw notice notices noticing find finds finding found "
            "meet meets meeting spot spots discover discovers think thinks thinking wonder "
            "wonders listen listens listening hear hears study studies studying work works "
            "working write writes writing draw draws drawing take takes taking give gives "
            "giving get gets open opens opening pet pets petting feed feeds feeding kiss "
            "kisses kissing laugh laughs laughing cry cries crying sigh sighs yawn yawns "
            "stretch stretches stretching pose poses posing shrug shrugs nod nods point "
            "points pointing kneel kneels kneeling lie lies lying lay lays lean leans leaning "
            "relax relaxes relaxing chill chills chilling hang hangs hanging meditate "
            "meditates meditating pray prays praying order orders ordering pay pays serve "
            "serves serving sell sells selling buy buys buying shop shops shopping blush "
            "blushes gaze gazes gazing admire admires observe observes peek peeks peeking "
            "hide hides hiding sniff sniffs sniffing hold holds holding",
}.items():
    for _form in _forms.split():
        ACTION_WORDS[_form] = _action

SPEECH_VERBS = frozenset(
    [
        "says", "say", "said", "saying", "asks", "ask", "asked", "shouts", "shout", "shouted",
        "yells", "yell", "yelled", "whispers", "whisper", "whispered", "replies", "reply",
        "replied", "answers", "answer", "answered", "sings", "tells", "speaks", "exclaims",
        "announces", "greets", "screams", "scream", "screamed", "shrieks", "cries",
        "mutters", "murmurs", "sighs", "laughs", "adds", "responds", "goes", "continues",
        "barks", "meows", "roars", "sing", "sang", "raps", "chants", "calls", "begs",
    ]
)

def _places(table: dict[str, str]) -> dict[str, str]:
    """``{"setting": "phrase, phrase, ..."}`` -> ``{phrase: setting}``."""
    return {phrase.strip(): setting for setting, phrases in table.items()
            for phrase in phrases.split(",") if phrase.strip()}


# Place words -> the setting drawn (``plan.SETTINGS``). Longer phrases win over shorter
# ones, so "rooftop bar" is read as a rooftop only if "rooftop bar" is listed.
SETTING_PHRASES: dict[str, str] = _places({
    "beach": "beach, seaside, shore, seashore, coast, sand, sands, sandy beach, boardwalk, "
             "bay, tropical island, island, surf, big wave, big waves, the waves, a wave, "
             "huge wave, huge waves, giant wave, giant waves, ocean waves, crashing waves, "
             "shoreline, pier, "
             "by the ocean, by the sea, ocean view, sea view",
    "ocean": "ocean, sea, open sea, open ocean, high seas, sailing, deck of a ship, ship deck",
    "city": "city, town, downtown, skyline, times square, metropolis, city street, avenue, "
            "highway, road, streets, traffic, new york, tokyo, paris, london, seoul, cityscape",
    "street": "street, street corner, corner, alley, alleyway, sidewalk, crosswalk, "
              "intersection, block, neighborhood, neighbourhood, night market, market street, "
              "bus stop, main street",
    "rooftop": "rooftop, roof, rooftops, roof top, terrace, balcony, penthouse, rooftop bar, "
               "rooftop garden, skyscraper roof",
    "village": "village, hamlet, small town, cottage, cottages, medieval village, townsquare, "
               "town square, countryside village",
    "farm": "farm, barn, farmyard, ranch, stable, pasture, orchard, vineyard, chicken coop, "
            "farmhouse",
    "field": "field, fields, meadow, meadows, grassland, prairie, wheat field, flower field, "
             "savanna, savannah, countryside, hillside, pasture land, sunflower field",
    "park": "park, garden, gardens, lawn, playground, backyard, yard, picnic, city park, "
            "botanical garden, skatepark, skate park, dog park",
    "forest": "forest, woods, woodland, pine forest, enchanted forest, grove, trees",
    "jungle": "jungle, rainforest, rain forest, tropical forest, amazon",
    "mountains": "mountain, mountains, hills, hill, valley, alps, cliff, cliffs, peak, summit, "
                 "volcano, himalayas, ridge, canyon rim, mountain top, mountaintop",
    "snow": "snowfield, snowy field, snowy fields, arctic, tundra, north pole, antarctica, "
            "glacier, "
            "ice, ski slope, ski resort, igloo, frozen lake, winter wonderland",
    "desert": "desert, dunes, sand dunes, sahara, canyon, wasteland, badlands, oasis, outback, "
              "grand canyon, death valley, arizona",
    "river": "river, stream, creek, riverbank, river bank, canal, brook",
    "lake": "lake, pond, lakeside, lake shore, lagoon",
    "waterfall": "waterfall, waterfalls, niagara falls, the falls, cascade",
    "cave": "cave, cavern, grotto, mine, tunnel, dungeon, underground",
    "castle": "castle, palace, fortress, kingdom, throne room, tower, medieval castle",
    "sky": "sky, clouds, skies, heavens, above the clouds, midair, mid-air, "
           "through the clouds",
    "train_platform": "train platform, platform, train station, station, railway station, "
                      "subway, subway station, metro, metro station, underground station",
    "airport": "airport, terminal, runway, gate, departure lounge, airplane cabin, tarmac",
    "interior": "room, interior, indoors, inside, house, home, apartment, flat, hallway, "
                "hotel room, hotel lobby, lobby, studio, art studio, recording studio, "
                "hospital, hospital hallway, hospital room, museum, gallery, art gallery, "
                "church, temple, shrine, mosque, laundromat, salon, barbershop",
    "living_room": "living room, livingroom, lounge, couch, sofa, fireplace, sitting room, "
                   "dinner table, family dinner, thanksgiving dinner, christmas morning, "
                   "christmas tree, movie night",
    "bedroom": "bedroom, bed, dorm, dorm room, nursery, kids room, sleepover",
    "kitchen": "kitchen, cooking class, kitchen counter",
    "cafe": "cafe, café, coffee shop, coffeeshop, coffee house, tea house, teahouse, diner "
            "counter, starbucks, bakery, patisserie, boulangerie",
    "bar": "bar, pub, tavern, saloon, club bar, cocktail bar, nightclub, night club, karaoke, "
           "karaoke bar, jazz bar, jazz club, speakeasy, izakaya",
    "restaurant": "restaurant, diner, bistro, dining room, fancy restaurant, pizzeria, "
                  "sushi bar, sushi restaurant, cafeteria, food court, dinner party",
    "office": "office, workplace, cubicle, meeting room, conference room, startup, "
              "coworking space, desk job, boardroom",
    "classroom": "classroom, class, school, lecture hall, lecture, kindergarten, "
                 "university, college, campus",
    "lab": "lab, laboratory, science lab, research lab, workshop lab",
    "garage": "garage, workshop, car repair shop, auto shop, mechanic, carport",
    "gym": "gym, fitness center, fitness centre, weight room, boxing ring, dojo, "
           "yoga studio, crossfit, bowling alley, bowling, ice rink, skating rink",
    "library": "library, bookstore, book shop, bookshop, study room, reading room",
    "supermarket": "supermarket, grocery store, grocery, store, shop, mall, convenience store, "
                   "market, shopping mall, department store",
    "stage": "stage, theater, theatre, spotlight, talent show, comedy club, open mic, "
             "rock concert, gig, live show, k-pop concert, kpop concert, pop concert, "
             "dance floor, disco",
    "concert_hall": "concert hall, concert, opera house, opera, recital, symphony, "
                    "orchestra hall, auditorium, music festival",
    "stadium": "stadium, arena, football field, soccer field, pitch, basketball court, "
               "court, tennis court, racetrack, race track, ballpark, olympics, wimbledon, "
               "world cup, super bowl, bleachers",
    "underwater": "underwater, under the sea, under water, reef, coral reef, seabed, deep sea, "
                  "aquarium, ocean floor, sea floor, seafloor",
    "space": "space, outer space, galaxy, cosmos, orbit, universe, nebula, spaceship cockpit, "
             "asteroid belt, among the stars",
    "space_station": "space station, iss, spacecraft interior, space base, starship, "
                     "spaceship interior",
    "moon": "moon surface, lunar surface, on the moon, to the moon, lunar base, crater, "
            "moonwalk",
    "mars": "mars, martian, red planet, mars surface, on mars",
    "plain": "plain, plains, white background, photo studio, blank background, void, "
             "black background, product shot",
})

TIME_PHRASES: dict[str, str] = {
    "dawn": "dawn", "sunrise": "dawn", "daybreak": "dawn", "early morning": "dawn",
    "morning": "day", "day": "day", "daytime": "day", "afternoon": "day", "daylight": "day",
    "noon": "noon", "midday": "noon", "sunny": "noon", "bright": "noon",
    "sunset": "sunset", "dusk": "sunset", "evening": "sunset", "twilight": "sunset",
    "golden hour": "sunset",
    "night": "night", "nighttime": "night", "midnight": "night", "dark": "night",
    "moonlight": "night", "moonlit": "night", "starry": "night", "at night": "night",
    "in the sun": "noon", "sunshine": "noon", "sunlight": "noon", "sunlit": "noon",
    "under the sun": "noon", "late at night": "night", "tonight": "night",
    "this morning": "day", "in the morning": "day", "golden-hour": "sunset",
    "blue hour": "sunset", "after dark": "night", "overnight": "night",
}

WEATHER_PHRASES: dict[str, str] = {
    "clear": "clear", "clear sky": "clear",
    "rain": "rain", "rains": "rain", "raining": "rain", "rainy": "rain", "drizzle": "rain",
    "showers": "rain", "downpour": "rain",
    "snow": "snow", "snows": "snow", "snowing": "snow", "snowfall": "snow",
    "snowflakes": "snow", "blizzard": "snow", "winter": "snow", "snowy": "snow",
    "fog": "fog", "foggy": "fog", "mist": "fog", "misty": "fog", "haze": "fog", "hazy": "fog",
    "storm": "storm", "stormy": "storm", "thunderstorm": "storm", "thunder": "storm",
    "lightning": "storm",
    "wind": "wind", "windy": "wind", "breeze": "wind", "breezy": "wind", "gale": "wind",
    "gusts": "wind",
}

CAMERA_PHRASES: dict[str, str] = {
    "static": "static", "still camera": "static", "locked off": "static", "tripod": "static",
    "pan": "pan_right", "pans": "pan_right", "panning": "pan_right",
    "pan right": "pan_right", "pans right": "pan_right", "panning right": "pan_right",
    "pan left": "pan_left", "pans left": "pan_left", "panning left": "pan_left",
    "tracking shot": "pan_right",
    "zoom in": "zoom_in", "zooms in": "zoom_in", "zooming in": "zoom_in", "zoom": "zoom_in",
    "zoom out": "zoom_out", "zooms out": "zoom_out", "zooming out": "zoom_out",
    "dolly": "dolly_in", "dolly in": "dolly_in", "push in": "dolly_in", "pushes in": "dolly_in",
    "dolly out": "dolly_out", "pull back": "dolly_out", "pulls back": "dolly_out",
    "pull out": "dolly_out",
    "orbit": "orbit", "orbits": "orbit", "orbiting": "orbit", "circling": "orbit",
    "arc shot": "orbit", "360": "orbit",
    "handheld": "handheld", "shaky": "handheld", "shaky cam": "handheld",
    "camera shake": "handheld", "found footage": "handheld",
    "aerial": "aerial", "drone": "aerial", "drone shot": "aerial", "bird's-eye": "aerial",
    "birds eye": "aerial", "bird's eye": "aerial", "overhead shot": "aerial",
}

STYLE_PHRASES: dict[str, str] = {
    "cinematic": "cinematic", "film": "cinematic", "movie": "cinematic", "epic shot": "cinematic",
    "anime": "anime", "manga": "anime", "cartoon": "anime", "ghibli": "anime",
    "noir": "noir", "film noir": "noir", "black and white": "noir", "black-and-white": "noir",
    "monochrome": "noir", "b&w": "noir", "grayscale": "noir",
    "vintage": "vintage", "vintage film": "vintage", "old film": "vintage", "retro": "vintage",
    "vhs": "vintage", "camcorder footage": "vintage", "polaroid": "vintage",
    "8mm": "vintage", "super 8": "vintage", "sepia": "vintage", "old-timey": "vintage",
    "watercolor": "watercolor", "watercolour": "watercolor", "painting": "watercolor",
    "painted": "watercolor", "pastel": "watercolor",
    "vaporwave": "vaporwave", "synthwave": "vaporwave", "neon": "vaporwave",
    "retrowave": "vaporwave", "80s": "vaporwave",
}

MOOD_WORDS: dict[str, str] = {
    "calm": "calm", "peaceful": "calm", "relaxing": "calm", "serene": "calm", "quiet": "calm",
    "tranquil": "calm", "cozy": "calm", "lazy": "calm",
    "happy": "happy", "joyful": "happy", "cheerful": "happy", "sunny mood": "happy",
    "upbeat": "happy", "fun": "happy", "celebration": "happy", "excited": "happy",
    "playful": "playful", "funny": "playful", "silly": "playful", "goofy": "playful",
    "cute": "playful", "whimsical": "playful", "comic": "playful",
    "tense": "tense", "scary": "tense", "spooky": "tense", "horror": "tense",
    "creepy": "tense", "suspense": "tense", "suspenseful": "tense", "angry": "tense",
    "sad": "sad", "melancholy": "sad", "lonely": "sad", "gloomy": "sad", "crying": "sad",
    "somber": "sad",
    "epic": "epic", "heroic": "epic", "dramatic": "epic", "triumphant": "epic",
    "majestic": "epic", "intense": "epic",
    "mysterious": "mysterious", "eerie": "mysterious", "mystical": "mysterious",
    "magical": "mysterious", "dreamy": "mysterious", "strange": "mysterious",
    "romantic": "romantic", "love": "romantic", "loving": "romantic", "tender": "romantic",
}

# "says in French" and friends -> eSpeak NG language codes.
LANGUAGE_NAMES: dict[str, str] = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "swedish": "sv", "norwegian": "nb", "danish": "da",
    "finnish": "fi", "polish": "pl", "czech": "cs", "slovak": "sk", "hungarian": "hu",
    "romanian": "ro", "greek": "el", "turkish": "tr", "russian": "ru", "ukrainian": "uk",
    "bulgarian": "bg", "serbian": "sr", "croatian": "hr", "arabic": "ar", "hebrew": "he",
    "persian": "fa", "hindi": "hi", "bengali": "bn", "urdu": "ur", "tamil": "ta",
    "korean": "ko", "japanese": "ja", "chinese": "cmn", "mandarin": "cmn",
    "cantonese": "yue", "vietnamese": "vi", "thai": "th", "indonesian": "id",
    "malay": "ms", "swahili": "sw", "latin": "la", "esperanto": "eo", "welsh": "cy",
    "irish": "ga", "icelandic": "is", "catalan": "ca", "basque": "eu",
}

# Unicode script ranges -> the language eSpeak NG reads that script as.
_SCRIPTS: list[tuple[str, str]] = [
    (r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", "ko"),
    (r"[\u3040-\u30ff]", "ja"),
    (r"[\u4e00-\u9fff]", "cmn"),
    (r"[\u0400-\u04ff]", "ru"),
    (r"[\u0600-\u06ff]", "ar"),
    (r"[\u0590-\u05ff]", "he"),
    (r"[\u0370-\u03ff]", "el"),
    (r"[\u0900-\u097f]", "hi"),
    (r"[\u0e00-\u0e7f]", "th"),
    (r"[\u0980-\u09ff]", "bn"),
    (r"[\u0b80-\u0bff]", "ta"),
    (r"[\u10a0-\u10ff]", "ka"),
    (r"[\u0530-\u058f]", "hy"),
]


def detect_language(text: str) -> str | None:
    """The language a quoted line is written in, judged by its script; ``None`` for Latin
    script (the prompt or "in French" decides then)."""
    for pattern, code in _SCRIPTS:
        if re.search(pattern, text):
            return code
    return None


# Plurals the simple rules get wrong.
_IRREGULAR_PLURALS = {
    "people": "person", "men": "man", "women": "woman", "children": "child",
    "kids": "child", "mice": "mouse", "geese": "goose", "teeth": "tooth", "feet": "foot",
    "wolves": "wolf", "leaves": "leaf", "knives": "knife", "wives": "woman",
    "sheep": "sheep", "fish": "fish", "deer": "deer", "octopi": "octopus",
    "cacti": "cactus", "fungi": "mushroom", "dice": "die", "oxen": "ox", "bison": "bison",
}

# Everyday words for nouns whose emoji is named differently.
_NOUN_SYNONYMS: dict[str, str] = {
    "kitten": "cat", "kitty": "cat", "puppy": "dog", "doggy": "dog", "pup": "dog",
    "bunny": "rabbit", "car": "automobile", "auto": "automobile", "bike": "bicycle",
    "plane": "airplane", "aeroplane": "airplane", "jet": "airplane", "boat": "sailboat",
    "ship": "ship", "kid": "child", "guy": "man", "girl": "girl", "boy": "boy",
    "lady": "woman", "astronaut": "astronaut", "spaceman": "astronaut",
    "robot": "robot", "alien": "alien", "ghost": "ghost", "dragon": "dragon",
    "bird": "bird", "birdie": "bird", "pony": "horse", "hen": "chicken", "cow": "cow",
    "car's": "automobile", "sun": "sun", "moon": "crescent_moon", "star": "star",
    "balloon": "balloon", "hot air balloon": "balloon", "ufo": "flying_saucer",
    "spaceship": "rocket", "bee": "honeybee", "ladybug": "lady_beetle", "person": "person",
    "friend": "person", "human": "person", "skater": "person", "dancer": "woman_dancing",
    "surfer": "person_surfing", "swimmer": "person_swimming", "runner": "person_running",
    "chef": "cook", "cook": "cook", "doctor": "health_worker", "wizard": "mage",
    "witch": "mage", "police": "police_officer", "cop": "police_officer",
    "firefighter": "firefighter", "king": "prince", "queen": "princess", "baby": "baby",
    "tree": "deciduous_tree", "flower": "blossom", "house": "house", "truck": "delivery_truck",
    "train": "locomotive", "motorcycle": "motorcycle", "scooter": "kick_scooter",
    "skateboard": "skateboard", "turtle": "turtle", "tortoise": "turtle", "dino": "sauropod",
    "dinosaur": "t-rex", "trex": "t-rex", "t-rex": "t-rex", "shark": "shark",
    "fox": "fox", "frog": "frog", "penguin": "penguin", "owl": "owl", "bear": "bear",
    "mouse": "mouse", "rat": "rat", "snake": "snake", "whale": "spouting_whale",
    "dolphin": "dolphin", "cat": "cat", "dog": "dog", "butterfly": "butterfly",
    "unicorn": "unicorn", "monkey": "monkey", "elephant": "elephant", "lion": "lion",
    "tiger": "tiger", "horse": "horse", "pig": "pig", "rabbit": "rabbit", "duck": "duck",
    "parrot": "parrot", "octopus": "octopus", "crab": "crab", "snail": "snail",
    "squirrel": "chipmunk", "raccoon": "raccoon", "giraffe": "giraffe", "zebra": "zebra",
    "camel": "two-hump_camel", "koala": "koala", "panda": "panda", "sloth": "sloth",
    "chicken": "chicken", "eagle": "eagle", "swan": "swan", "flamingo": "flamingo",
    "peacock": "peacock", "cowboy": "cowboy_hat_face", "pizza": "pizza",
    "school bus": "bus", "city bus": "bus", "double decker bus": "bus",
    "couple": "person", "player": "person", "lifeguard": "person", "librarian": "person",
    "cashier": "person", "protester": "person", "protestor": "person", "passenger": "person",
    "customer": "person", "client": "person", "referee": "person", "guest": "person",
    "visitor": "person", "neighbor": "person", "neighbour": "person", "coworker": "person",
    "colleague": "person", "boss": "person", "employee": "person", "intern": "person",
    "shopper": "person", "commuter": "person", "hiker": "person", "jogger": "person",
    "roommate": "person", "classmate": "person", "teammate": "person", "fan": "person",
    "grandson": "boy", "granddaughter": "girl", "grandkid": "child", "grandchild": "child",
    "grandkids": "child", "grandchildren": "children", "nephew": "boy", "niece": "girl",
    "crowd": "person", "audience": "person", "spectator": "person",
    "band": "person", "team": "person", "choir": "person", "passerby": "person",
    "passersby": "person", "tourist": "person", "stranger": "person", "pedestrian": "person",
    "patient": "person", "clerk": "person", "shop clerk": "person", "owner": "person",
    "shopkeeper": "person", "shop owner": "person", "store owner": "person",
    "salesperson": "person", "salesman": "person", "saleswoman": "person",
    "vendor": "person", "seller": "person", "receptionist": "person", "manager": "person",
    "host": "person", "hostess": "person", "landlord": "person", "landlady": "person",
    "butler": "person", "maid": "person", "housekeeper": "person", "pharmacist": "person",
    "tutor": "person", "principal": "person", "mayor": "person", "customer service": "person",
}

# Emoji names that would steal ordinary words (grammar, settings, weather).
_NOT_SUBJECTS = frozenset(
    [
        "a", "b", "o", "ab", "cl", "id", "ng", "ok", "up", "on", "top", "new", "free", "cool",
        "soon", "back", "end", "sos", "vs", "atm", "wc", "beach", "ocean", "sea", "desert",
        "mountain", "mountains", "snow", "rain", "fog", "cloud", "clouds", "night", "sunrise",
        "sunset", "city", "stage", "park", "space", "water", "wind", "storm", "lightning", "sky",
        "house_interior", "milky_way", "foggy", "dash", "collision", "fire", "hundred_points",
        "zzz", "dizzy", "sparkles", "speech_balloon", "thought_balloon", "anger_symbol", "left",
        "right", "date", "cooking", "aries", "taurus", "gemini", "cancer", "leo", "virgo",
        "libra", "scorpio", "scorpius", "sagittarius", "capricorn", "aquarius", "pisces",
        "ophiuchus",
    ]
)


# Emoji that show a feeling or a gesture, not a thing: faces, hands, hearts and comic
# marks. Their names are verbs, adjectives and emotions ("scream", "melting", "wave",
# "smile"), so they are never drawn as props for those words.
_FEELING_RANGES = (
    (0x1F600, 0x1F64F), (0x1F910, 0x1F915), (0x1F917, 0x1F91F), (0x1F922, 0x1F92F),
    (0x1F970, 0x1F97A), (0x1F9D0, 0x1F9D0), (0x1FAE0, 0x1FAE6), (0x1FAE8, 0x1FAFF),
    (0x1F440, 0x1F450),
    (0x1F90C, 0x1F90F), (0x1F4A2, 0x1F4A2), (0x1F4A4, 0x1F4AB), (0x1F48B, 0x1F48C),
    (0x1F493, 0x1F49F), (0x2763, 0x2764), (0x1F5E8, 0x1F5EF), (0x270A, 0x270D),
    (0x261D, 0x261D), (0x263A, 0x263A), (0x2639, 0x2639), (0x1F31A, 0x1F31D),
)


def is_feeling(char: str) -> bool:
    """Whether an emoji shows a feeling or a gesture rather than a thing to draw."""
    code = ord(char[0])
    return any(lo <= code <= hi for lo, hi in _FEELING_RANGES)


@cache
def noun_index() -> dict[str, str]:
    """Every noun (and multi-word noun, spaces between words) that has an emoji, mapped
    to the emoji; built from the ``emoji`` package's English names and aliases."""
    fully_qualified = emoji.STATUS["fully_qualified"]
    primary: dict[str, str] = {}
    secondary: dict[str, str] = {}
    for char, data in emoji.EMOJI_DATA.items():
        if data.get("status") != fully_qualified or "skin_tone" in data["en"]:
            continue
        if any(0x1F1E6 <= ord(c) <= 0x1F1FF for c in char):  # flags read as letters
            continue
        if is_feeling(char) and "cat" not in data["en"]:
            continue
        names = [data["en"], *data.get("alias", [])]
        for i, raw in enumerate(names):
            name = raw.strip(":").lower()
            table = primary if i == 0 else secondary
            table.setdefault(name, char)
            if name.endswith("_face"):
                secondary.setdefault(name[: -len("_face")], char)
    index: dict[str, str] = {}
    for table in (secondary, primary):  # primary names win
        for name, char in table.items():
            words = name.replace("_", " ")
            if name in _NOT_SUBJECTS or words in _NOT_SUBJECTS:
                continue
            if not re.fullmatch(r"[a-z][a-z' -]*", words) or len(words.split()) > 3:
                continue
            index[words] = char
    for word, name in _NOUN_SYNONYMS.items():
        found = primary.get(name) or secondary.get(name)
        if found is not None:
            index[word.replace("_", " ")] = found
    return index


def singular(word: str) -> str:
    """A plural noun's singular ("foxes" -> "fox", "puppies" -> "puppy")."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and re.search(r"(ch|sh|x|ss|z)es$", word):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def lookup_noun(words: str) -> tuple[str, str, bool] | None:
    """``(noun, glyph, plural)`` for a word or phrase naming something drawable."""
    index = noun_index()
    if words in index:
        plural = words in _IRREGULAR_PLURALS and _IRREGULAR_PLURALS[words] != words
        return (_IRREGULAR_PLURALS.get(words, words), index[words], plural)
    one = singular(words)
    if one != words and one in index:
        return (one, index[one], True)
    # Things to wear are things too: "a red cap on the beach".
    for phrase, plural in ((words, False), (one, one != words)):
        if phrase in ACCESSORIES:
            return (ACCESSORIES[phrase][0], ACCESSORIES[phrase][1], plural)
    return None


# Things that move through the air or along roads by themselves: the default action when
# the prompt names none.
FLYERS = frozenset(
    [
        "bird", "parrot", "eagle", "owl", "bat", "butterfly", "bee", "honeybee", "airplane",
        "rocket", "helicopter", "balloon", "dragon", "ufo", "swan", "dove", "duck", "flamingo",
        "fly", "mosquito", "ghost", "angel", "fairy",
    ]
)
# Things that hang in the sky: drawn up there, above the horizon, not on the ground.
SKY_THINGS = frozenset((
    "fireworks", "firework", "sparkler", "rainbow", "moon", "crescent moon", "full moon",
    "sun", "star", "stars", "shooting star", "comet", "cloud", "clouds", "kite", "aurora",
    "lightning", "meteor", "planet", "ringed planet", "parachute",
))
SWIMMERS = frozenset((
    "fish", "tropical fish", "shark", "whale", "dolphin", "octopus", "jellyfish", "crab",
    "seal", "squid", "blowfish",
))
VEHICLES = frozenset((
    "automobile", "car", "taxi", "bus", "truck", "delivery truck", "racing car", "police car",
    "motorcycle", "bicycle", "bike", "train", "locomotive", "tractor", "fire engine",
    "ambulance", "kick scooter", "scooter", "skateboard", "pickup truck", "sport utility vehicle",
))


# Things a subject can wear: phrase -> (item, OpenMoji glyph, anchor). The anchor says
# where on the subject the renderer draws it (see ``plan.ANCHORS``).
ACCESSORIES: dict[str, tuple[str, str, str]] = {
    "cap": ("cap", "🧢", "head"), "baseball cap": ("cap", "🧢", "head"),
    "ball cap": ("cap", "🧢", "head"), "hat": ("hat", "🎩", "head"),
    "top hat": ("top hat", "🎩", "head"), "tophat": ("top hat", "🎩", "head"),
    "sun hat": ("sun hat", "👒", "head"), "sunhat": ("sun hat", "👒", "head"),
    "straw hat": ("sun hat", "👒", "head"), "cowboy hat": ("cowboy hat", "👒", "head"),
    "crown": ("crown", "👑", "head"), "tiara": ("crown", "👑", "head"),
    "graduation cap": ("graduation cap", "🎓", "head"),
    "mortarboard": ("graduation cap", "🎓", "head"),
    "helmet": ("helmet", "⛑️", "head"), "hard hat": ("helmet", "⛑️", "head"),
    "army helmet": ("army helmet", "🪖", "head"),
    "glasses": ("glasses", "👓", "eyes"), "eyeglasses": ("glasses", "👓", "eyes"),
    "spectacles": ("glasses", "👓", "eyes"), "sunglasses": ("sunglasses", "🕶️", "eyes"),
    "shades": ("sunglasses", "🕶️", "eyes"), "goggles": ("goggles", "🥽", "eyes"),
    "headphones": ("headphones", "🎧", "ears"), "headphone": ("headphones", "🎧", "ears"),
    "earphones": ("headphones", "🎧", "ears"), "headset": ("headphones", "🎧", "ears"),
    "scarf": ("scarf", "🧣", "neck"), "necklace": ("necklace", "📿", "neck"),
    "beads": ("necklace", "📿", "neck"), "tie": ("necktie", "👔", "neck"),
    "necktie": ("necktie", "👔", "neck"), "bow tie": ("bow tie", "🎀", "neck"),
    "bowtie": ("bow tie", "🎀", "neck"), "medal": ("medal", "🏅", "neck"),
    "bow": ("bow", "🎀", "hair"), "ribbon": ("bow", "🎀", "hair"),
    "hair bow": ("bow", "🎀", "hair"), "flower": ("flower", "🌸", "hair"),
    "blossom": ("flower", "🌸", "hair"), "rose": ("rose", "🌹", "hair"),
    "sunflower": ("sunflower", "🌻", "hair"), "feather": ("feather", "🪶", "hair"),
    "shirt": ("shirt", "👕", "body"), "t-shirt": ("shirt", "👕", "body"),
    "tshirt": ("shirt", "👕", "body"), "tee": ("shirt", "👕", "body"),
    "coat": ("coat", "🧥", "body"), "jacket": ("coat", "🧥", "body"),
    "hoodie": ("coat", "🧥", "body"), "sweater": ("coat", "🧥", "body"),
    "vest": ("vest", "🦺", "body"), "safety vest": ("vest", "🦺", "body"),
    "dress": ("dress", "👗", "body"), "lab coat": ("lab coat", "🥼", "body"),
    "backpack": ("backpack", "🎒", "back"), "rucksack": ("backpack", "🎒", "back"),
    "school bag": ("backpack", "🎒", "back"), "schoolbag": ("backpack", "🎒", "back"),
}
# Colours some things have unless the words say otherwise.
ACCESSORY_COLORS: dict[str, tuple[int, int, int]] = {"cowboy hat": (150, 95, 45)}
# Words that put what follows on the subject before them: "a dog wearing sunglasses",
# "a cat with a red hat", "a girl in a crown", "@ada has a scarf".
WEAR_WORDS = frozenset((
    "wearing", "wears", "wear", "wore", "worn", "with", "in", "dons", "donning", "has",
    "having", "sporting", "dressed", "puts", "put", "got",
))
# Words between a wear word and the thing worn that change nothing: "a pair of", "her".
_WEAR_FILLER = frozenset((
    "a", "an", "the", "his", "her", "their", "its", "my", "your", "our", "pair", "of", "one",
    "on", "in", "new", "little", "tiny", "small", "big", "large", "huge", "cool", "fancy",
    "favorite", "favourite", "nice", "shiny", "bright", "dark", "light",
))
# Words an appearance rule may use around the things it names ("always wears ...").
APPEARANCE_FILLER = frozenset((
    "always", "usually", "often", "must", "should", "likes", "like", "prefers", "loves",
    "shown", "show", "appears", "appear", "drawn", "draw", "looks", "look", "every", "time",
    "video", "videos", "outfit", "clothes", "wearing",
))


def accessory_at(words: list[str], i: int) -> tuple[str, tuple[int, int, int] | None, int] | None:
    """``(phrase, colour, next index)`` when the words from ``i`` on name a thing to wear,
    after any articles, sizes or a colour ("a pair of dark red sunglasses")."""
    color: tuple[int, int, int] | None = None
    j = i
    while j < len(words) and (words[j] in _WEAR_FILLER or words[j] in COLORS):
        if words[j] in COLORS:
            color = COLORS[words[j]]
        j += 1
    for n in (2, 1):
        chunk = words[j: j + n]
        if len(chunk) < n:
            continue
        phrase = " ".join(chunk)
        if phrase not in ACCESSORIES and singular(phrase) in ACCESSORIES and n == 1:
            phrase = singular(phrase)
        if phrase in ACCESSORIES:
            return phrase, color, j + n
    return None
