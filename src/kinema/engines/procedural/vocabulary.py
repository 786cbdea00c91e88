"""Open-vocabulary subjects and places: any English noun phrase to the artwork that shows
it, and any place phrase to one of the settings the renderer draws.

A subject is found, in order, among the words for people ("grandma", "old man"), roles
that are a person with something in hand ("guitarist" -> a person holding 🎸), the
names and aliases of every emoji, then a table of specific things and their general
kind ("falcon" -> bird, "corgi" -> dog, "sedan" -> car), then the head of a compound
("mountain goat" -> goat), and last by meaning (multilingual-e5-small) with a strict
threshold, so that nonsense stays unknown. A word that is only a verb, an adjective or a
feeling ("melting", "screams", "happy") never becomes a thing.

Tables are parsed on first use; importing this module is cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "PERSON_GLYPH",
    "PlaceMatch",
    "Resolution",
    "resolve_place",
    "resolve_subject",
]

PERSON_GLYPH = "🧑"


def _words(text: str) -> list[str]:
    return text.split()


def _phrases_of(text: str) -> list[str]:
    return [" ".join(phrase.split()) for phrase in text.split(",") if phrase.strip()]


@dataclass(frozen=True)
class Resolution:
    """What a noun phrase draws.

    ``noun`` is the singular English noun the plan names ("falcon", "guitarist", "dog");
    ``glyph`` the emoji drawn; ``kind`` the noun whose behaviour applies (what it flies,
    swims or drives like: "bird" for a falcon, "person" for a guitarist, else ``noun``).
    ``held`` is ``(item, glyph)`` for a role that holds or plays something, with ``hold``
    saying where it goes: "hand", "front" (a guitar, a drum kit) or "under" (a
    skateboard, skis: the holder stands on it). ``gender`` is "female"/"male" and ``age``
    "baby"/"child"/"teen"/"adult"/"old" when the words say so. ``taken_as`` is ``None``
    when the phrase was understood exactly, else the word it was drawn as ("bird").
    ``plural`` says the phrase named more than one; ``confidence`` is 1.0 for table
    matches and the similarity for a match by meaning.
    """

    noun: str
    glyph: str
    kind: str
    held: tuple[str, str] | None = None
    hold: str | None = None
    gender: str | None = None
    age: str | None = None
    taken_as: str | None = None
    plural: bool = False
    confidence: float = 1.0


@dataclass(frozen=True)
class PlaceMatch:
    """A place phrase mapped to one of ``plan.SETTINGS``.

    ``taken_as`` is ``None`` when the phrase names the setting itself ("kitchen"), else
    the setting's everyday name it was understood as ("pub" -> "bar"). ``guessed`` is
    true when the match came from meaning alone (the plan says the place was guessed);
    ``confidence`` is 1.0 for table matches.
    """

    setting: str
    phrase: str
    taken_as: str | None = None
    guessed: bool = False
    confidence: float = 1.0


# --------------------------------------------------------------------------- people

# word -> (glyph, gender, age)
_PEOPLE_TEXT = """
person 🧑 - adult | human 🧑 - adult | people 🧑 - adult | somebody 🧑 - adult |
someone 🧑 - adult | individual 🧑 - adult | adult 🧑 - adult | friend 🧑 - adult |
buddy 🧑 - adult | stranger 🧑 - adult | neighbor 🧑 - adult | neighbour 🧑 - adult |
teenager 🧑 - teen | teen 🧑 - teen | youth 🧑 - teen | character 🧑 - adult |
man 👨 male adult | guy 👨 male adult | gentleman 👨 male adult | dude 👨 male adult |
young man 👨 male adult | husband 👨 male adult | boyfriend 👨 male adult |
dad 👨 male adult | father 👨 male adult | daddy 👨 male adult | papa 👨 male adult |
brother 👨 male adult | uncle 👨 male adult | groom 🤵 male adult | mister 👨 male adult |
woman 👩 female adult | lady 👩 female adult | young woman 👩 female adult |
wife 👩 female adult | girlfriend 👩 female adult | mom 👩 female adult |
mum 👩 female adult | mother 👩 female adult | mommy 👩 female adult |
mama 👩 female adult | sister 👩 female adult | aunt 👩 female adult |
bride 👰 female adult | gal 👩 female adult |
boy 👦 male child | little boy 👦 male child | son 👦 male child | schoolboy 👦 male child |
nephew 👦 male child | teenage boy 👦 male teen |
girl 👧 female child | little girl 👧 female child | daughter 👧 female child |
schoolgirl 👧 female child | niece 👧 female child | teenage girl 👧 female teen |
child 🧒 - child | kid 🧒 - child | toddler 🧒 - child | youngster 🧒 - child |
little kid 🧒 - child | schoolchild 🧒 - child |
baby 👶 - baby | infant 👶 - baby | newborn 👶 - baby | baby boy 👶 male baby |
baby girl 👶 female baby |
old man 👴 male old | grandpa 👴 male old | grandfather 👴 male old |
granddad 👴 male old | grandad 👴 male old | elderly man 👴 male old |
old woman 👵 female old | old lady 👵 female old | grandma 👵 female old |
grandmother 👵 female old | granny 👵 female old | nana 👵 female old |
grannie 👵 female old | elderly woman 👵 female old |
old person 🧓 - old | elder 🧓 - old | senior 🧓 - old | elderly person 🧓 - old |
grandparent 🧓 - old | family 👪 - adult
"""

# role -> (glyph, held item, held glyph, hold, gender). "-" for none.
_ROLES_TEXT = """
guitarist 🧑 guitar 🎸 front - | bassist 🧑 bass 🎸 front - | guitar player 🧑 guitar 🎸 front - |
rock star 🧑 guitar 🎸 front - | rockstar 🧑 guitar 🎸 front - |
drummer 🧑 drum 🥁 front - | percussionist 🧑 drum 🥁 front - |
pianist 🧑 piano 🎹 front - | keyboardist 🧑 keyboard 🎹 front - |
violinist 🧑 violin 🎻 front - | fiddler 🧑 fiddle 🎻 front - | cellist 🧑 cello 🎻 front - |
trumpeter 🧑 trumpet 🎺 hand - | trumpet player 🧑 trumpet 🎺 hand - |
saxophonist 🧑 saxophone 🎷 hand - | sax player 🧑 saxophone 🎷 hand - |
flutist 🧑 flute 🪈 hand - | flautist 🧑 flute 🪈 hand - |
accordionist 🧑 accordion 🪗 front - | banjoist 🧑 banjo 🪕 front - |
banjo player 🧑 banjo 🪕 front - | musician 🧑 guitar 🎸 front - | bard 🧑 guitar 🎸 front - |
singer 🧑‍🎤 microphone 🎤 hand - | vocalist 🧑‍🎤 microphone 🎤 hand - |
rapper 🧑‍🎤 microphone 🎤 hand - | pop star 🧑‍🎤 microphone 🎤 hand - |
karaoke singer 🧑‍🎤 microphone 🎤 hand - |
reporter 🧑 microphone 🎤 hand - | journalist 🧑 microphone 🎤 hand - |
news anchor 🧑 microphone 🎤 hand - | podcaster 🧑 microphone 🎙️ front - |
comedian 🧑 microphone 🎤 hand - | host 🧑 microphone 🎤 hand - |
dj 🧑 turntable 🎛️ front - | deejay 🧑 turntable 🎛️ front - |
sailor 🧑 anchor ⚓ hand - | captain 🧑 anchor ⚓ hand - | sculptor 🧑‍🎨 hammer 🔨 hand - |
photographer 🧑 camera 📷 hand - | tourist 🧑 camera 📷 hand - |
cameraman 🧑 movie camera 🎥 hand - | camerawoman 🧑 movie camera 🎥 hand female |
filmmaker 🧑 movie camera 🎥 hand - | film director 🧑 clapperboard 🎬 hand - |
youtuber 🧑 movie camera 🎥 hand - | vlogger 🧑 phone 📱 hand - | influencer 🧑 phone 📱 hand - |
streamer 🧑 game controller 🎮 hand - | gamer 🧑 game controller 🎮 hand - |
golfer 🧑 golf flag ⛳ front - | skateboarder 🧑 skateboard 🛹 under - |
skater 🧑 skateboard 🛹 under - | figure skater 🧑 ice skate ⛸️ under - |
ice skater 🧑 ice skate ⛸️ under - |
tennis player 🧑 tennis ball 🎾 hand - | baseball player 🧑 baseball ⚾ hand - |
pitcher 🧑 baseball ⚾ hand - | batter 🧑 baseball ⚾ hand - |
basketball player 🧑 basketball 🏀 hand - | footballer 🧑 soccer ball ⚽ under - |
soccer player 🧑 soccer ball ⚽ under - | football player 🧑 football 🏈 hand - |
quarterback 🧑 football 🏈 hand - | volleyball player 🧑 volleyball 🏐 hand - |
hockey player 🧑 hockey stick 🏒 hand - | cricketer 🧑 cricket bat 🏏 hand - |
bowler 🧑 bowling ball 🎳 hand - | goalkeeper 🧑 goal 🥅 front - | goalie 🧑 goal 🥅 front - |
boxer 🧑 boxing glove 🥊 hand - | archer 🧑 bow 🏹 hand - |
fisherman 🧑 fishing rod 🎣 hand male | fisher 🧑 fishing rod 🎣 hand - |
angler 🧑 fishing rod 🎣 hand - | fisherwoman 🧑 fishing rod 🎣 hand female |
badminton player 🧑 shuttlecock 🏸 hand - | ping pong player 🧑 paddle 🏓 hand - |
lumberjack 🧑 axe 🪓 hand - | woodcutter 🧑 axe 🪓 hand - | miner 🧑 pickaxe ⛏️ hand - |
carpenter 🧑 hammer 🔨 hand - | blacksmith 🧑 hammer 🔨 hand - | builder 👷 hammer 🔨 hand - |
knight 🧑 sword 🗡️ hand - | swordsman 🧑 sword 🗡️ hand male | samurai 🧑 sword 🗡️ hand - |
warrior 🧑 sword 🗡️ hand - | pirate 🧑 sword 🗡️ hand - | viking 🧑 axe 🪓 hand - |
gladiator 🧑 shield 🛡️ hand - | magician 🧑 magic wand 🪄 hand - |
painter 🧑‍🎨 paintbrush 🖌️ hand - | artist 🧑‍🎨 palette 🎨 hand - |
writer 🧑 pen 🖋️ hand - | author 🧑 book 📖 hand - | poet 🧑 pen 🖋️ hand - |
barista 🧑 coffee ☕ hand - | bartender 🧑 cocktail 🍸 hand - | waiter 🧑 plate 🍽️ hand male |
waitress 🧑 plate 🍽️ hand female | server 🧑 plate 🍽️ hand - |
baker 🧑‍🍳 bread 🥖 hand - | chef 🧑‍🍳 - - - - | cook 🧑‍🍳 - - - - |
gardener 🧑‍🌾 potted plant 🪴 hand - | farmer 🧑‍🌾 - - - - | rancher 🧑‍🌾 - - - - |
cowboy 🧑 lasso 🪢 hand male | cowgirl 🧑 lasso 🪢 hand female |
janitor 🧑 broom 🧹 hand - | cleaner 🧑 broom 🧹 hand - |
mail carrier 🧑 letter ✉️ hand - | mailman 🧑 letter ✉️ hand male | postman 🧑 letter ✉️ hand male |
courier 🧑 parcel 📦 hand - | delivery driver 🧑 parcel 📦 hand - |
delivery man 🧑 parcel 📦 hand male |
shopper 🧑 shopping bags 🛍️ hand - | coach 🧑 clipboard 📋 hand - |
astronomer 🧑 telescope 🔭 front - | explorer 🧑 compass 🧭 hand - | hiker 🧑 backpack 🎒 hand - |
backpacker 🧑 backpack 🎒 hand - | businessman 👨‍💼 briefcase 💼 hand male |
businesswoman 👩‍💼 briefcase 💼 hand female | office worker 🧑‍💼 - - - - |
programmer 🧑‍💻 - - - - | developer 🧑‍💻 - - - - | coder 🧑‍💻 - - - - | hacker 🧑‍💻 - - - - |
student 🧑‍🎓 book 📖 hand - | teacher 🧑‍🏫 - - - - | professor 🧑‍🏫 - - - - |
scientist 🧑‍🔬 - - - - | chemist 🧑‍🔬 - - - - | researcher 🧑‍🔬 - - - - |
doctor 🧑‍⚕️ - - - - | nurse 🧑‍⚕️ - - - - | surgeon 🧑‍⚕️ - - - - | dentist 🧑‍⚕️ - - - - |
mechanic 🧑‍🔧 wrench 🔧 hand - | plumber 🧑‍🔧 wrench 🔧 hand - | engineer 🧑‍🔧 wrench 🔧 hand - |
factory worker 🧑‍🏭 - - - - | welder 🧑‍🏭 - - - - | judge 🧑‍⚖️ - - - - | lawyer 🧑‍💼 - - - - |
astronaut 🧑‍🚀 - - - - | cosmonaut 🧑‍🚀 - - - - | spaceman 🧑‍🚀 - - - - |
pilot 🧑‍✈️ - - - - | firefighter 🧑‍🚒 - - - - | fireman 🧑‍🚒 - - male |
police officer 👮 - - - - |
police 👮 - - - - | policeman 👮 - - male | policewoman 👮 - - female | cop 👮 - - - - |
detective 🕵️ magnifying glass 🔍 hand - | spy 🕵️ - - - - | guard 💂 - - - - |
soldier 💂 - - - - | construction worker 👷 - - - - | worker 👷 - - - - | ninja 🥷 - - - - |
king 🤴 - - male | prince 🤴 - - male | queen 👸 - - female | princess 👸 - - female |
wizard 🧙 magic wand 🪄 hand - | witch 🧙 broom 🧹 hand female | sorcerer 🧙 - - - - |
mage 🧙 - - - - | fairy 🧚 - - - - | vampire 🧛 - - - - | zombie 🧟 - - - - | elf 🧝 - - - - |
genie 🧞 - - - - | mermaid 🧜 - - female | merman 🧜 - - male | superhero 🦸 - - - - |
supervillain 🦹 - - - - | hero 🦸 - - - - | superheroine 🦸 - - female | villain 🦹 - - - - |
santa 🎅 - - male | santa claus 🎅 - - male |
juggler 🤹 - - - - | clown 🤡 - - - - | mime 🧑 - - - - |
surfer 🏄 - - - - | swimmer 🏊 - - - - | diver 🤿 - - - - | scuba diver 🤿 - - - - |
skier ⛷️ - - - - | snowboarder 🏂 - - - - | climber 🧗 - - - - | rock climber 🧗 - - - - |
cyclist 🚴 - - - - | biker 🚴 - - - - | bicyclist 🚴 - - - - | mountain biker 🚵 - - - - |
rower 🚣 - - - - | kayaker 🚣 - - - - | runner 🏃 - - - - | jogger 🏃 - - - - |
sprinter 🏃 - - - - | marathon runner 🏃 - - - - | jockey 🏇 - - - - |
weightlifter 🏋️ - - - - | bodybuilder 🏋️ - - - - | fencer 🤺 - - - - | wrestler 🤼 - - - - |
dancer 💃 - - - - | ballerina 💃 - - female | ballet dancer 💃 - - - - | breakdancer 🕺 - - - - |
yogi 🧘 - - - - | monk 🧘 - - - - | cheerleader 🧑 pom-pom 🎀 hand - |
"""

# Specific things -> the general kind that has artwork. Each line: "kind: words, ...".
_KINDS_TEXT = """
bird: falcon, hawk, sparrow, pigeon, robin, crow, raven, magpie, seagull, gull, pelican,
 hummingbird, woodpecker, kingfisher, heron, crane, stork, albatross, finch, canary, cardinal,
 bluebird, blue jay, jay, starling, swallow, vulture, condor, kestrel, osprey, cuckoo,
 nightingale, lark, wren, toucan, macaw, cockatoo, budgie, parakeet, lovebird, ostrich, emu,
 kiwi bird, puffin, cormorant, egret, ibis, quail, pheasant, grouse, partridge, oriole,
 songbird, mockingbird, roadrunner, tern, sandpiper, hornbill, seabird, chick, bird of prey
dog: corgi, labrador, retriever, golden retriever, poodle, beagle, bulldog, husky, pug,
 dachshund, chihuahua, terrier, shepherd, german shepherd, collie, border collie, dalmatian,
 rottweiler, doberman, greyhound, spaniel, cocker spaniel, shiba, shiba inu, akita, samoyed,
 pomeranian, maltese, shih tzu, schnauzer, boxer dog, great dane, mastiff, sheepdog,
 bloodhound, basset hound, hound, whippet, labradoodle, goldendoodle, cavalier, pitbull,
 pit bull, malamute, puppy dog, pooch, mutt, doggo, pupper, bernese, puppy, pup, doggy
cat: tabby, siamese, persian cat, maine coon, ragdoll, bengal cat, sphynx, calico, tomcat,
 moggy, housecat, house cat, alley cat, tabby cat, black cat, kitten, kitty
big cat: cheetah, jaguar, panther, puma, cougar, lynx, bobcat, ocelot, snow leopard
tiger: sabertooth, sabre-toothed tiger
lion: lioness
horse: stallion, mare, foal, colt, pony, mustang, bronco, steed, donkey, mule, burro
cow: bull, calf, cattle, ox, yak, buffalo, heifer, steer
deer: moose, elk, reindeer, caribou, antelope, gazelle, impala, fawn, stag, doe
mouse: rodent, vole, gerbil, shrew, dormouse, guinea pig, capybara, chinchilla, mole,
 meerkat, mongoose
lizard: axolotl, newt
otter: platypus, beaver
dog: hyena, dingo
hedgehog: armadillo, anteater, pangolin
pig: tapir
snail: slug
eagle: griffin, gryphon, thunderbird
horse: centaur
mage: gnome, dwarf, druid, warlock
truck: tank, armored car
building: windmill, pyramid, monument, skyscraper tower
rat: sewer rat
rabbit: hare, jackrabbit
squirrel: chipmunk, marmot, groundhog, prairie dog, gopher
bear: grizzly, grizzly bear, brown bear, black bear, cub, bear cub
polar bear: ice bear
monkey: ape, chimp, chimpanzee, baboon, macaque, lemur, gibbon, mandrill, primate, capuchin
gorilla: silverback
fox: arctic fox, fennec, jackal, coyote
wolf: dire wolf, timber wolf, werewolf
snake: python, cobra, viper, rattlesnake, boa, anaconda, serpent, adder, mamba
lizard: iguana, gecko, chameleon, komodo dragon, salamander, newt, monitor lizard, skink
crocodile: alligator, croc, gator, caiman
turtle: tortoise, terrapin, sea turtle
fish: trout, salmon, tuna, cod, carp, koi, goldfish, bass, catfish, sardine, anchovy, herring,
 mackerel, perch, pike, minnow, guppy, betta, clownfish, angelfish, swordfish, marlin,
 barracuda, eel, stingray, manta ray, ray, seahorse, flounder, halibut, piranha, sunfish
whale: orca, killer whale, humpback, blue whale, narwhal, beluga, sperm whale
dolphin: porpoise
seal: sea lion, walrus, otter, sea otter, manatee, dugong
octopus: squid, cuttlefish, kraken
crab: lobster, crayfish, crawfish, hermit crab
shrimp: prawn
jellyfish: man o war
bug: insect, beetle, cricket insect, grasshopper, locust, cockroach, roach, firefly, moth,
 dragonfly, wasp, hornet, flea, termite, mantis, praying mantis, stick insect, cicada, gnat,
 caterpillar, larva, maggot
ant: fire ant
bee: bumblebee, honey bee, drone bee
spider: tarantula, black widow
butterfly: monarch, swallowtail
chicken: hen, rooster, cockerel, chick chicken, poultry
duck: duckling, mallard, goose, gosling, teal duck
owl: barn owl, snowy owl
penguin: emperor penguin
bat: vampire bat, fruit bat
frog: toad, tadpole, bullfrog, tree frog
pig: hog, boar, piglet, swine, warthog
sheep: lamb, ram, ewe
goat: billy goat, kid goat, mountain goat, ibex
kangaroo: wallaby
koala: wombat
camel: dromedary, llama, alpaca, vicuna
hedgehog: porcupine
raccoon: racoon, red panda, possum, opossum
sloth: three-toed sloth
hippopotamus: hippo
rhinoceros: rhino
elephant: mammoth elephant, pachyderm
giraffe: okapi
zebra: wild horse
dinosaur: raptor, velociraptor, triceratops, stegosaurus, brontosaurus, brachiosaurus,
 pterodactyl, spinosaurus, allosaurus, dino
dragon: wyvern, drake, hydra, basilisk, dragonet
unicorn: pegasus, alicorn
car: sedan, hatchback, coupe, convertible, limousine, limo, jeep, suv, minivan, van, wagon,
 station wagon, muscle car, sports car, supercar, roadster, cab, automobile, vehicle, hot rod,
 tesla, beetle car, camper, camper van, rv
racing car: race car, racecar, formula one car, f1 car, go-kart, kart
truck: lorry, pickup, pickup truck, semi, semi truck, dump truck, tow truck, big rig, 18-wheeler
bus: school bus, coach bus, minibus, double-decker, double decker bus, trolleybus, shuttle
train: locomotive, steam train, bullet train, subway train, metro train, freight train, tram,
 streetcar, trolley, monorail
motorcycle: motorbike, moped, dirt bike, chopper, harley, vespa
bicycle: bike, mountain bike, bmx, tandem, unicycle, tricycle, e-bike
airplane: plane, jet, jetliner, airliner, aircraft, fighter jet, biplane, seaplane, glider,
 propeller plane, jumbo jet, private jet, aeroplane
helicopter: chopper helicopter, copter, drone
rocket: spaceship, spacecraft, space shuttle, starship, missile
flying saucer: ufo, alien ship, mothership
boat: rowboat, canoe, kayak, dinghy, raft, gondola, yacht, motorboat, speedboat, ferry,
 tugboat, fishing boat, houseboat, paddleboat, vessel, sailboat, catamaran, pirate ship,
 battleship, warship, cruise ship, ocean liner, galleon, submarine, steamboat, ship
tractor: combine harvester, bulldozer, excavator, digger, forklift, crane truck
fire engine: fire truck, firetruck
police car: squad car, patrol car, cop car
ambulance: paramedic van
scooter: kick scooter, e-scooter
balloon: hot air balloon, blimp, zeppelin, airship
bread: loaf, toast, bun, roll, sourdough, brioche, flatbread, naan, pita
croissant: pastry, danish, pain au chocolat
cake: cupcake, muffin, cheesecake, birthday cake, brownie, tart, pie, dessert, gateau
cookie: biscuit, macaron, cracker
doughnut: donut
ice cream: gelato, sundae, popsicle, ice lolly, frozen yogurt, sorbet
candy: sweets, lollipop, gummy, gummy bear, chocolate bar, toffee, caramel
chocolate: cocoa, truffle
hamburger: burger, cheeseburger, veggie burger, slider
pizza: pepperoni, calzone, pizza slice
sandwich: sub, hoagie, panini, blt, club sandwich, wrap, burrito, kebab, gyro, shawarma
taco: nachos, quesadilla, enchilada
spaghetti: pasta, noodles, ramen, udon, lasagna, macaroni, linguine, penne
sushi: sashimi, maki, onigiri, nigiri
rice: fried rice, risotto, paella, rice bowl, bibimbap
soup: stew, broth, chowder, chili, curry, gumbo, pho
salad: coleslaw, greens
steak: beef, meat, pork chop, ribs, bacon, ham, roast, sausage, meatball
egg: omelet, omelette, scrambled eggs, fried egg
cheese: cheddar, brie, mozzarella, parmesan
fruit: berry, berries, plum, apricot, fig, date fruit, pomegranate, papaya, guava, lychee,
 passion fruit, dragon fruit, nectarine, grapefruit, raspberry, blackberry, blueberry,
 cranberry, currant
apple: green apple, red apple, crabapple
orange: tangerine, clementine, mandarin, satsuma
lemon: lime fruit
vegetable: veggie, zucchini, courgette, squash, cabbage, lettuce, spinach, kale, celery,
 asparagus, radish, turnip, beet, beetroot, pumpkin, cauliflower, artichoke, leek, okra,
 sprout, bean, pea, green bean, eggplant
coffee: espresso, latte, cappuccino, mocha, americano, macchiato, flat white, cold brew
tea: green tea, matcha, chai, herbal tea
drink: beverage, soda, cola, lemonade, juice, smoothie, milkshake, shake, water bottle
wine: champagne, prosecco, red wine, white wine
beer: ale, lager, pint, stout
cocktail: martini, margarita, mojito
guitar: electric guitar, acoustic guitar, bass guitar, ukulele, uke, lute, mandolin
violin: cello, viola, fiddle, double bass, contrabass, harp
trumpet: horn, trombone, tuba, cornet, bugle, french horn
saxophone: sax, clarinet, oboe, bassoon
piano: grand piano, keyboard piano, organ, synthesizer, synth, harpsichord, keyboard instrument
drum: drum kit, drumset, drum set, snare, bongo, bongos, tambourine, timpani, cymbal
flute: recorder, piccolo, pan flute, fife, whistle
microphone: mic, mike
flower: daisy, lily, orchid, carnation, daffodil, peony, lavender, poppy, marigold, iris,
 violet flower, jasmine, magnolia, dandelion, lotus, wildflower, bouquet, bloom, petunia,
 chrysanthemum, camellia, azalea, geranium, begonia, zinnia, pansy, snapdragon
rose: red rose
tree: oak, pine, maple, birch, willow, elm, fir, spruce, cedar, redwood, sequoia, cypress,
 baobab, bonsai, sapling, fruit tree, cherry tree, apple tree, oak tree, pine tree,
 christmas tree, birch tree, weeping willow, beech, ash tree, sycamore, poplar, eucalyptus,
 mangrove, banyan
palm tree: coconut tree, palm
cactus: succulent, saguaro
plant: houseplant, fern, ivy, vine, shrub, bush, hedge, moss, weed, bamboo, reed, herb
mushroom: toadstool, fungus
house: home, cottage, cabin, hut, bungalow, mansion, villa, farmhouse, shack, chalet, manor,
 townhouse, ranch house, log cabin, igloo, treehouse, tree house, barn, shed
building: skyscraper, tower, tower block, apartment, apartment building, office building,
 high-rise, highrise, condo, block of flats, flat, warehouse, factory, mall, hotel, hospital
castle: palace, fortress, fort, citadel, keep, chateau, sandcastle, sand castle
church: cathedral, chapel, temple, mosque, shrine, synagogue, monastery, pagoda
tent: teepee, tipi, yurt, campsite tent
bridge: footbridge, drawbridge, viaduct, suspension bridge
robot: android, cyborg, droid, mech, mecha, automaton, bot, humanoid robot, ai robot
alien: extraterrestrial, martian, space alien, little green man
ghost: spirit, phantom, specter, spectre, poltergeist, ghoul
monster: beast, creature, ogre, troll, goblin, gremlin, yeti, bigfoot, sasquatch, kaiju,
 godzilla, demon, devil, imp
ball: beach ball, soccer ball, football, basketball, tennis ball, baseball, volleyball
book: novel, notebook, diary, journal, textbook, comic book, storybook, magazine
phone: smartphone, cellphone, cell phone, mobile phone, iphone, telephone
computer: laptop, pc, desktop computer, macbook, notebook computer, tablet, ipad
toy: plush, stuffed animal, teddy, teddy bear, doll, action figure, lego, puppet, yo-yo
sword: katana, sabre, saber, rapier, blade, longsword, broadsword, scimitar, lightsaber
gun: pistol, rifle, revolver, shotgun, blaster
star: shooting star, falling star, starfish
sun: sunshine
moon: full moon, crescent moon, half moon
kite: paper kite
umbrella: parasol, brolly
chair: armchair, stool, bench, throne, seat, rocking chair
couch: sofa, loveseat, settee, futon
bed: mattress, bunk bed, cot, hammock
table: desk, counter, workbench, dining table, coffee table
lamp: lantern, torch, flashlight, candle, lightbulb, light bulb
clock: watch, wristwatch, alarm clock, timer, hourglass
box: crate, carton, parcel, package, chest, present, gift
bag: handbag, purse, suitcase, luggage, briefcase, tote, sack
hat: beanie, fedora, beret, sombrero, bonnet, cowboy hat, top hat
shoe: sneaker, boot, sandal, high heel, slipper, trainer, loafer
"""

# Emoji whose names are feelings, faces, gestures and marks: these never become props.
# Creatures and characters among them are let through by ``_CHARACTER_FACES``.
_FEELING_RANGES = (
    (0x1F600, 0x1F64F), (0x1F910, 0x1F92F), (0x1F970, 0x1F97F), (0x1FAE0, 0x1FAEF),
    (0x1F44A, 0x1F450), (0x1F590, 0x1F596), (0x270A, 0x270D), (0x1F918, 0x1F91F),
    (0x1FAF0, 0x1FAF8), (0x1F493, 0x1F49F), (0x1F4A2, 0x1F4AD), (0x2763, 0x2764),
    (0x1F932, 0x1F937), (0x1F926, 0x1F926), (0x1F481, 0x1F481), (0x1F645, 0x1F64F),
    (0x2639, 0x263A), (0x1F90C, 0x1F90F), (0x1F9E1, 0x1F9E1), (0x1F90D, 0x1F90E),
    (0x1F5A4, 0x1F5A4), (0x1F4A4, 0x1F4A4), (0x1F4AF, 0x1F4AF), (0x1F44B, 0x1F44B),
    (0x1F446, 0x1F449), (0x261D, 0x261D), (0x1F9BE, 0x1F9BF), (0x1F4AA, 0x1F4AA),
)
_CHARACTER_FACES = frozenset("🤖🤡🤠👻👽👾💀☠💩👹👺🎃😺😸😹😻😼😽🙀😿😾🙈🙉🙊🦾🦿")

# Verbs, adjectives and feelings that emoji names would otherwise turn into things.
_NEVER_THINGS = frozenset(
    _words("""
    melting melt melts screams scream screaming happy sad angry crying cry laughing
    laugh smile smiling smiles grin grinning wink winking thinking think sleeping sleepy
    sleep tired running run runs walking walk walks waving wave waves hugging hug hugs
    kiss kissing shush shushing yawning yawn scared fear fearful shocked surprised cold
    hot sick dizzy nerd cool love loving cute pouting pout rage raging cursing vomiting
    sneezing lying innocent relieved pensive confused worried frowning weary crazy zany
    silly stunned flushed pleading disappointed persevering triumph unamused
    expressionless neutral smirking anguished astonished hushed sweat sweating joy heart
    broken sparkle sparkling shine shining glowing dancing dance swimming swim surfing
    surf flying fly jumping jump climbing climb falling fall rowing biking juggling
    bouncing kneeling standing sitting bowing facepalming shrugging gesturing pointing
    clapping raising praying writing waving okay ok thumbs saluting peeking lying
    exploding mind blown partying celebrating
    """)
)

# Stems that make a role with -ist/-er/-or/-ian: the thing must be something held or
# played (instruments, sports gear, tools, devices), not a creature or a food.
_HOLDABLE_RANGES = (
    (0x1F3A3, 0x1F3BF), (0x1F3C0, 0x1F3C0), (0x1F3C8, 0x1F3C9), (0x1F3CF, 0x1F3D3),
    (0x1F3F8, 0x1F3F9), (0x1F941, 0x1F94F), (0x1F6F7, 0x1F6F9), (0x1F6F6, 0x1F6F6),
    (0x1FA80, 0x1FA9F), (0x1F4F7, 0x1F4FA), (0x1F52A, 0x1F52B), (0x1F528, 0x1F528),
    (0x1F6E0, 0x1F6E0), (0x26CF, 0x26CF), (0x1F5E1, 0x1F5E1), (0x2694, 0x2694),
    (0x1F9F9, 0x1F9F9), (0x1F58A, 0x1F58D), (0x1F4F1, 0x1F4F1), (0x1F4BB, 0x1F4BB),
    (0x26BD, 0x26BE), (0x26F3, 0x26F3), (0x26F8, 0x26F8), (0x1F93F, 0x1F93F),
    (0x1F527, 0x1F527), (0x1F50D, 0x1F50E), (0x1F52D, 0x1F52D), (0x1F3A8, 0x1F3A8),
)


def _in_ranges(glyph: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    cp = ord(glyph[0])
    return any(lo <= cp <= hi for lo, hi in ranges)


def _is_feeling(glyph: str) -> bool:
    return glyph[0] not in _CHARACTER_FACES and _in_ranges(glyph, _FEELING_RANGES)


@cache
def _people() -> dict[str, tuple[str, str | None, str | None]]:
    table: dict[str, tuple[str, str | None, str | None]] = {}
    for entry in _PEOPLE_TEXT.split("|"):
        parts = entry.split()
        if not parts:
            continue
        *words, glyph, gender, age = parts
        table[" ".join(words)] = (glyph, None if gender == "-" else gender, age)
    return table


@cache
def _roles() -> dict[str, tuple[str, tuple[str, str] | None, str | None, str | None]]:
    table: dict[str, tuple[str, tuple[str, str] | None, str | None, str | None]] = {}
    for entry in _ROLES_TEXT.split("|"):
        entry = entry.strip()
        if not entry:
            continue
        # "word(s) glyph item(s) glyph hold gender" with "-" for none; items may be
        # several words, so read the glyph columns by their (non-letter) look.
        tokens = entry.split()
        glyph_at = [i for i, t in enumerate(tokens) if not re.match(r"[a-z-]", t)]
        first = glyph_at[0]
        role = " ".join(tokens[:first])
        glyph = tokens[first]
        gender = tokens[-1]
        if len(glyph_at) >= 2:
            second = glyph_at[1]
            held = (" ".join(tokens[first + 1: second]), tokens[second])
            hold = tokens[second + 1]
        else:
            held, hold = None, None
        table[role] = (glyph, held, hold, None if gender == "-" else gender)
    return table


def _keyed_lists(text: str) -> dict[str, str]:
    """``"key: word, word, ..."`` paragraphs (continued on indented lines) -> ``{word:
    key}``; the first key a word is listed under wins."""
    table: dict[str, str] = {}
    for line in re.split(r"\n(?=\S)", text.strip()):
        key, _, words = line.partition(":")
        for word in words.replace("\n", " ").split(","):
            word = " ".join(word.split())
            if word:
                table.setdefault(word, key.strip())
    return table


@cache
def _kinds() -> dict[str, str]:
    return _keyed_lists(_KINDS_TEXT)


# General kinds that have no emoji name of their own -> the artwork that stands for them.
_KIND_GLYPHS = {
    "big cat": "🐆", "bug": "🐛", "dinosaur": "🦖", "monster": "👹", "fruit": "🍎",
    "vegetable": "🥕", "drink": "🥤", "plant": "🪴", "building": "🏢", "computer": "💻",
    "toy": "🧸", "gun": "🔫", "phone": "📱", "lamp": "🪔", "bag": "👜", "box": "📦",
    "table": "🪑", "shoe": "👟", "hat": "🎩", "ball": "⚽", "car": "🚗", "truck": "🚚",
    "boat": "⛵", "bus": "🚌", "train": "🚆", "flower": "🌸", "tree": "🌳", "bird": "🐦",
    "dog": "🐕", "cat": "🐈", "fish": "🐟", "piano": "🎹", "cake": "🍰", "sandwich": "🥪",
    "steak": "🥩", "cocktail": "🍸", "candy": "🍬", "couch": "🛋️", "seal": "🦭",
    "mouse": "🐁", "squirrel": "🐿️", "bee": "🐝", "star": "⭐", "moon": "🌙",
    "sun": "☀️", "soup": "🍲", "spaghetti": "🍝", "microphone": "🎤", "clock": "🕰️",
    "book": "📖", "sword": "🗡️", "coffee": "☕", "tea": "🍵", "wine": "🍷", "beer": "🍺",
    "drum": "🥁", "ice cream": "🍨", "cookie": "🍪", "house": "🏠", "church": "⛪",
    "bread": "🍞", "rice": "🍚", "cheese": "🧀", "egg": "🥚", "bridge": "🌉",
}


# Emoji names that are places, weather or marks, not things in a scene (the planner reads
# those words as settings and weather).
_NOT_THING_NAMES = frozenset(
    name.strip() for name in _phrases_of("""
    a, b, o, ab, cl, id, ng, ok, up, on, top, new, free, cool, soon, back, end, sos, vs,
    atm, wc, beach, ocean, sea, desert, mountain, mountains, snow, rain, fog, cloud,
    clouds, night, sunrise, sunset, city, stage, park, space, water, wind, storm,
    lightning, sky, milky way, foggy, dash, collision, fire, hundred points, zzz, dizzy,
    sparkles, speech balloon, thought balloon, anger symbol, left, right, x, cityscape,
    night with stars, national park, desert island, beach with umbrella, snow-capped
    mountain, volcano, classical building, stadium, office building, hospital, bank,
    hotel, love hotel, convenience store, school, department store, factory, japanese
    castle, wedding, tokyo tower, foggy, sunrise over mountains, cityscape at dusk,
    circus tent, water wave, wave, ocean wave, ice, speaking head, bust in silhouette,
    busts in silhouette, footprints
    """) if name.strip()
)


@cache
def _noun_index() -> dict[str, str]:
    """Every emoji English name and alias of up to three words -> the emoji, leaving out
    feelings, gestures, flags, skin tones, places and marks."""
    import emoji

    fully_qualified = emoji.STATUS["fully_qualified"]
    primary: dict[str, str] = {}
    secondary: dict[str, str] = {}
    for char, data in emoji.EMOJI_DATA.items():
        if data.get("status") != fully_qualified or "skin_tone" in data["en"]:
            continue
        if any(0x1F1E6 <= ord(c) <= 0x1F1FF for c in char) or _is_feeling(char):
            continue
        for i, raw in enumerate([data["en"], *data.get("alias", [])]):
            name = raw.strip(":").lower().replace("_", " ")
            (primary if i == 0 else secondary).setdefault(name, char)
            if name.endswith(" face"):
                secondary.setdefault(name[: -len(" face")], char)
    index: dict[str, str] = {}
    for table in (secondary, primary):  # primary names win
        for name, char in table.items():
            if (re.fullmatch(r"[a-z][a-z' -]*", name) and len(name.split()) <= 3
                    and name not in _NOT_THING_NAMES and name not in _NEVER_THINGS):
                index[name] = char
    index.update(_EVERYDAY_NAMES)
    return index


# Everyday words for things whose emoji is named otherwise.
_EVERYDAY_NAMES = {
    "kitten": "🐈", "kitty": "🐈", "cat": "🐈", "puppy": "🐕", "doggy": "🐕", "pup": "🐕",
    "dog": "🐕", "bunny": "🐇", "rabbit": "🐇", "car": "🚗", "bike": "🚲", "plane": "✈️",
    "airplane": "✈️", "boat": "⛵", "bird": "🐦", "pony": "🐴", "horse": "🐎",
    "hen": "🐔", "moon": "🌙", "ufo": "🛸", "spaceship": "🚀", "bee": "🐝",
    "ladybug": "🐞", "robot": "🤖", "tree": "🌳", "flower": "🌸", "truck": "🚚",
    "train": "🚆", "dinosaur": "🦖", "dino": "🦕", "trex": "🦖", "whale": "🐋",
    "squirrel": "🐿️", "camel": "🐫", "cowboy": "🤠", "piano": "🎹", "drums": "🥁",
    "sofa": "🛋️", "couch": "🛋️", "ball": "⚽", "book": "📖", "phone": "📱",
    "computer": "💻", "tv": "📺", "television": "📺", "lamp": "🪔", "gift": "🎁",
    "present": "🎁", "money": "💵", "sword": "🗡️", "gun": "🔫", "wand": "🪄",
    "box": "📦", "table": "🪑", "chair": "🪑", "fish": "🐟", "turtle": "🐢",
    "dragon": "🐉", "mouse": "🐁", "bear": "🐻", "monkey": "🐒", "panda": "🐼",
    "pig": "🐖", "cow": "🐄", "chicken": "🐔", "duck": "🦆", "sun": "☀️", "star": "⭐",
    "balloon": "🎈", "umbrella": "☂️", "bread": "🍞", "cake": "🍰", "coffee": "☕",
    "tea": "🍵", "ice cream": "🍨", "house": "🏠", "castle": "🏰", "tent": "⛺",
    "bridge": "🌉", "guitar": "🎸", "violin": "🎻", "camera": "📷", "hat": "🎩",
    "crown": "👑", "glasses": "👓", "sunglasses": "🕶️", "flag": "🚩", "bus": "🚌",
    "tractor": "🚜", "snowman": "⛄", "kite": "🪁", "skateboard": "🛹",
    "scooter": "🛴", "frisbee": "🥏", "salad": "🥗", "soup": "🍲", "steak": "🥩",
    "chocolate": "🍫", "pancake": "🥞", "pancakes": "🥞", "planet": "🪐", "skeleton": "💀",
    "boba": "🧋", "bubble tea": "🧋", "subway": "🚇", "metro": "🚇", "police": "👮",
    "bow": "🏹", "volcano": "🌋", "bagel": "🥯", "noodles": "🍜", "ramen": "🍜",
}


def _kind_glyph(kind: str) -> str | None:
    return _KIND_GLYPHS.get(kind) or _noun_index().get(kind)


# --------------------------------------------------------------------------- words

_DETERMINERS = frozenset(
    _words("""
    a an the some any my your his her their our its this that these those one two three
    four five six seven eight nine ten several many few couple pair of lots lot
    """)
)
_AGE_WORDS = {"old": "old", "elderly": "old", "aged": "old", "young": "adult",
              "little": None, "tiny": None, "baby": "baby", "teenage": "teen"}


def _clean(phrase: str) -> list[str]:
    words = re.findall(r"[a-z0-9][a-z0-9'&-]*", phrase.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    return words


@lru_cache(maxsize=4096)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    import lemminflect  # imported on first use: its tables take a moment to load

    return dict(lemminflect.getAllLemmas(word))


_IRREGULAR = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse",
    "geese": "goose", "teeth": "tooth", "feet": "foot", "wolves": "wolf", "leaves": "leaf",
    "knives": "knife", "wives": "wife", "octopi": "octopus", "cacti": "cactus",
    "oxen": "ox", "dice": "die", "fungi": "fungus", "elves": "elf", "dwarves": "dwarf",
    "calves": "calf", "loaves": "loaf", "shelves": "shelf", "thieves": "thief",
    "fishermen": "fisherman", "firemen": "fireman", "policemen": "policeman",
    "grandchildren": "grandchild", "businessmen": "businessman", "spacemen": "spaceman",
}


def _rule_singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and re.search(r"(ch|sh|x|ss|z)es$", word):
        return word[:-2]
    if len(word) > 3 and word.endswith("oes"):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _singular(word: str) -> tuple[str, bool]:
    """``(singular, was_plural)`` for one noun."""
    if word in _IRREGULAR:
        return _IRREGULAR[word], True
    tables = (_noun_index(), _roles(), _people(), _kinds())
    if any(word in table for table in tables):
        return word, False
    nouns = _lemmas(word).get("NOUN") or ()
    for one in (*nouns, _rule_singular(word)):
        if one != word and any(one in table for table in tables):
            return one, True
    one = nouns[0] if nouns else _rule_singular(word)
    return one, one != word


_MODIFIERS = frozenset(
    _words("""
    red orange yellow green blue purple pink brown black white grey gray gold golden
    silver big small little tiny huge giant large enormous massive mini cute fluffy fat
    skinny tall short happy sad angry sleepy hungry lonely brave shy funny silly cool
    young beautiful pretty ugly scary spooky friendly lazy wild tame wet dry shiny old
    new ancient magic magical mechanical robotic cyberpunk futuristic wooden metal glass
    plastic paper
    """)
)


def _is_modifier(word: str) -> bool:
    readings = _lemmas(word)
    return word in _MODIFIERS or ("ADJ" in readings and "NOUN" not in readings)


def _only_not_noun(word: str) -> bool:
    """True for a word that is only a verb, adjective or adverb (never a thing)."""
    if word in _NEVER_THINGS:
        return True
    readings = _lemmas(word)
    return bool(readings) and "NOUN" not in readings and "PROPN" not in readings


# --------------------------------------------------------------------------- subjects

@lru_cache(maxsize=2048)
def resolve_subject(phrase: str, *, by_meaning: bool = True) -> Resolution | None:
    """The artwork for an English noun phrase ("a falcon", "two guitarists", "an old
    man", "golden retriever"), or ``None`` when the phrase names nothing drawable (a
    verb, an adjective, a feeling, or a word nothing is known about). With
    ``by_meaning=False`` only the tables are consulted (no text model, microseconds)."""
    words = _clean(phrase)
    if not words or len(words) > 5:
        return None
    # 1. Age words in front of people: "old man" is a table entry, "little boy" too; for
    # others the age word is kept apart ("old wizard").
    age_hint: str | None = None
    if len(words) > 1 and words[0] in _AGE_WORDS and " ".join(words) not in _people():
        age_hint = _AGE_WORDS[words[0]]
        rest = _resolve_words(words[1:], by_meaning)
        if rest is not None:
            return _with_age(rest, age_hint)
    return _resolve_words(words, by_meaning)


def _with_age(found: Resolution, age: str | None) -> Resolution:
    if age is None or (found.kind != "person" and found.noun not in _people()):
        return found
    glyph = found.glyph
    if age == "old" and found.held is None and glyph in ("🧑", "👨", "👩"):
        glyph = {"🧑": "🧓", "👨": "👴", "👩": "👵"}[glyph]
    return Resolution(found.noun, glyph, found.kind, found.held, found.hold, found.gender, age,
                      found.taken_as, found.plural, found.confidence)


def _resolve_words(words: list[str], by_meaning: bool = True) -> Resolution | None:
    phrase = " ".join(words)
    last, plural = _singular(words[-1])
    one = " ".join([*words[:-1], last])
    # 2. Whole phrase, then its singular, through each table.
    for candidate in dict.fromkeys((phrase, one)):
        is_plural = plural and candidate == one
        found = _exact(candidate, is_plural)
        if found is not None:
            return found
    # 3. Roles by suffix: "trumpeter", "banjoist", "snowboarder".
    role = _role_by_suffix(last)
    if role is not None and len(words) == 1:
        return Resolution(last, PERSON_GLYPH, "person", role, "front" if role[1] in "🎸🥁🎹🎻" else
                          "hand", plural=plural)
    # 4. The head of a compound: "mountain goat" -> goat, "baby dragon" -> dragon.
    if len(words) > 1:
        head = _resolve_words(words[1:], by_meaning)
        if head is not None:
            if _is_modifier(words[0]):  # "big red ball": the words only describe it
                return head
            taken = head.taken_as or head.noun
            return Resolution(one, head.glyph, head.kind, head.held, head.hold, head.gender,
                              head.age, taken, head.plural, head.confidence * 0.9)
        return None
    # 5. By meaning, for a noun nothing above knows.
    if not by_meaning or _only_not_noun(last) or last in _MODIFIERS or \
            not re.fullmatch(r"[a-z][a-z-]{2,}", last):
        return None
    return _by_meaning(last, plural)


def _exact(candidate: str, plural: bool) -> Resolution | None:
    people = _people()
    if candidate in people:
        glyph, gender, age = people[candidate]
        return Resolution(candidate, glyph, "person", gender=gender, age=age, plural=plural)
    roles = _roles()
    if candidate in roles:
        glyph, held, hold, gender = roles[candidate]
        return Resolution(candidate, glyph, "person", held, hold, gender, plural=plural)
    if candidate in _NEVER_THINGS:
        return None
    kinds = _kinds()
    index = _noun_index()
    if candidate in index and candidate not in kinds:
        return Resolution(candidate, index[candidate], candidate, plural=plural)
    if candidate in kinds:
        kind = kinds[candidate]
        own = index.get(candidate)
        if own is not None:  # "pony" has its own glyph but behaves as a horse
            return Resolution(candidate, own, kind, plural=plural)
        if kind in roles or kind in people:  # a gnome is drawn as a mage: a person
            found = _exact(kind, plural)
            if found is not None:
                return Resolution(candidate, found.glyph, "person", found.held, found.hold,
                                  found.gender, found.age, kind, plural)
        drawn = _kind_glyph(kind)
        if drawn is not None:
            return Resolution(candidate, drawn, kind, taken_as=kind, plural=plural)
    return None


def _role_by_suffix(word: str) -> tuple[str, str] | None:
    index = _noun_index()
    for suffix in ("ist", "er", "or", "ian"):
        if not word.endswith(suffix) or len(word) <= len(suffix) + 2:
            continue
        stem = word[: -len(suffix)]
        for candidate in (stem, stem + "e", stem + "o", stem + "a", stem[:-1]):
            glyph = index.get(candidate) or _kind_glyph(_kinds().get(candidate, ""))
            if glyph and _in_ranges(glyph, _HOLDABLE_RANGES):
                return (candidate, glyph)
    return None


# Labels the meaning fallback chooses among: the general kinds, each as a short
# description so that one-word queries land on the right one.
_MEANING_LABELS = {
    "bird": "a bird, a kind of bird that flies", "dog": "a dog, a breed of dog",
    "cat": "a cat, a breed of cat", "fish": "a fish that swims in the sea",
    "car": "a car, an automobile", "boat": "a boat or a ship",
    "flower": "a flower, a flowering plant", "tree": "a tree", "house": "a building, a house",
    "monkey": "a monkey or an ape", "snake": "a snake or a reptile",
    "bug": "an insect or a bug", "horse": "a horse", "cow": "a cow or cattle",
    "deer": "a deer or an antelope", "bear": "a bear", "mouse": "a mouse or a rat, a rodent",
    "bread": "bread, a baked food", "cake": "a cake or a sweet dessert", "fruit": "a fruit",
    "vegetable": "a vegetable", "airplane": "an airplane or an aircraft",
    "whale": "a whale or a sea mammal", "guitar": "a musical instrument",
    "person": "a person, a human being with a job",
}


def _by_meaning(word: str, plural: bool) -> Resolution | None:
    try:
        from kinema.embeddings.multilingual import embed_passages, embed_queries
    except ImportError:  # pragma: no cover - the model ships with the package
        return None
    labels = list(_MEANING_LABELS)
    scores = embed_passages([_MEANING_LABELS[k] for k in labels]) @ embed_queries(word)[0]
    order = scores.argsort()[::-1]
    best, second = float(scores[order[0]]), float(scores[order[1]])
    # Single words score in a narrow band; only a clear winner counts.
    if best < 0.845 or best - second < 0.025:
        return None
    kind = labels[int(order[0])]
    glyph = PERSON_GLYPH if kind == "person" else _kind_glyph(kind)
    if glyph is None:
        return None
    return Resolution(word, glyph, kind, taken_as=kind, plural=plural, confidence=best)


# --------------------------------------------------------------------------- places

# setting -> the phrases that name it. The first phrase is the setting's everyday name.
_PLACES_TEXT = """
beach: beach, seaside, shore, seashore, coast, coastline, sandy beach, bay, lagoon, tropical
 island, island, boardwalk, pier, dock, harbor, harbour, port, marina, surf, waves, resort,
 beach resort, cove, sand, tropical beach, paradise, lighthouse, sandcastle
ocean: ocean, sea, open sea, open ocean, high seas, deep ocean, sea surface, waters, offshore
city: city, downtown, town, metropolis, skyline, city skyline, cityscape, urban, midtown,
 times square, tokyo, new york, paris, london, seoul, shanghai, hong kong, manhattan,
 las vegas, cyberpunk city, neon city, futuristic city, skyscrapers, city center, city centre
street: street, road, city street, avenue, boulevard, alley, alleyway, sidewalk, pavement,
 crosswalk, intersection, crossroads, street corner, corner, highway, freeway, motorway,
 main street, lane, parking lot, car park, gas station, petrol station, bus stop, market,
 marketplace, street market, night market, bazaar, plaza, square, town square, block
rooftop: rooftop, roof, roof terrace, terrace, balcony, top of a building, helipad
village: village, hamlet, small town, countryside village, fishing village, mountain village,
 old town, medieval village, neighborhood, neighbourhood, suburb, suburbs, cul-de-sac,
 backyard, yard, front yard, porch
farm: farm, farmyard, barn, ranch, stable, stables, pasture, paddock, orchard, vineyard,
 farmland, coop, chicken coop, pigsty, corral, greenhouse, plantation, cornfield
field: field, meadow, grassland, prairie, savanna, savannah, pampas, steppe, wheat field,
 flower field, lawn, grass, open field, countryside, hillside, hill, hills, rice field, paddy,
 rice terraces, tea plantation, pasture land
park: park, garden, playground, public park, city park, botanical garden, zoo, picnic area,
 courtyard, campground, campsite, camp, amusement park, theme park, fairground, carnival,
 schoolyard, cemetery, graveyard
forest: forest, woods, woodland, grove, pine forest, enchanted forest, dark forest, thicket,
 trees, autumn forest, taiga, clearing, treehouse, bamboo forest, redwoods
jungle: jungle, rainforest, rain forest, tropical forest, swamp, marsh, bayou, wetland, mangrove
mountains: mountains, mountain, mountaintop, mountain top, peak, summit, alps, himalayas,
 cliff, cliffs, valley, canyon, gorge, ridge, volcano, crater, highlands, rocky, hilltop, slope
snow: snow, snowfield, arctic, antarctic, antarctica, tundra, north pole, south pole, glacier,
 ice, iceberg, frozen lake, ski slope, ski resort, winter wonderland, snowy, icy, ice field,
 igloo, ski lodge, snowy forest, snowbank
desert: desert, dunes, sand dunes, sahara, badlands, wasteland, oasis, outback, mesa, dry land
river: river, stream, creek, brook, riverbank, river bank, canal, rapids, riverside, delta
lake: lake, pond, lakeside, lake shore, reservoir, fjord, loch
waterfall: waterfall, falls, cascade, niagara, waterfalls
cave: cave, cavern, grotto, mine, tunnel, underground, dungeon, lair, den, burrow, crypt,
 catacombs, sewer, ice cave, mine shaft
castle: castle, palace, fortress, kingdom, throne room, citadel, tower, medieval castle,
 temple, ruins, ancient ruins, pyramid, cathedral, church
sky: sky, clouds, skies, heavens, air, midair, above the clouds, sunset sky, blue sky
plain: plain, plains, flatland, open plain, great plains, horizon, empty land, nowhere
train_platform: train platform, platform, train station, railway station, railroad station,
 station, subway, subway station, metro, metro station, underground station, tube station,
 railway, railroad, tracks, train tracks
airport: airport, runway, terminal, airport terminal, departure lounge, gate, tarmac,
 airfield, hangar
interior: interior, indoors, inside, room, house, home, apartment, flat, hallway, corridor,
 lobby, hotel, hotel room, studio, attic, basement, hall, building, mansion, haunted house,
 haunted mansion, manor, cabin, cottage, hut, elevator, lift, staircase, stairs, prison, jail,
 jail cell, cell, barbershop, hair salon, salon, spa, sauna, laundromat, bathroom, closet,
 hotel lobby, waiting room, museum hall, church interior, palace hall, ballroom
living_room: living room, lounge, sitting room, family room, den room, couch, sofa,
 fireplace, livingroom, tv room
bedroom: bedroom, bed, dorm, dorm room, dormitory, nursery, kids room, hotel bedroom, bunk
kitchen: kitchen, bakery, pantry, cooking, stove, kitchen table
cafe: cafe, café, coffee shop, coffeehouse, coffee house, tea house, teahouse, bistro,
 patisserie, tea room, starbucks, internet cafe, ice cream shop
bar: bar, pub, tavern, saloon, nightclub, club, lounge bar, cocktail bar, brewery, izakaya,
 disco, karaoke, casino, inn
restaurant: restaurant, diner, dining room, cafeteria, canteen, food court, eatery,
 steakhouse, pizzeria, sushi bar, fast food, mcdonalds, buffet, banquet, ramen shop
office: office, workplace, cubicle, boardroom, meeting room, conference room, desk, startup,
 headquarters, bank, coworking space
classroom: classroom, school, class, lecture hall, university, college, campus, kindergarten,
 schoolroom, academy
lab: lab, laboratory, science lab, research lab, workshop, test facility, hospital,
 operating room, clinic
garage: garage, car workshop, auto shop, repair shop, parking garage, workshop garage, shed
gym: gym, fitness center, fitness centre, gymnasium, health club, dojo, boxing ring,
 yoga studio, weight room, sports hall, swimming pool, pool, indoor pool, bowling alley,
 climbing wall, dance studio
library: library, bookstore, bookshop, study, reading room, archive, museum, gallery,
 art gallery
supermarket: supermarket, grocery store, grocery, store, shop, convenience store, mall,
 shopping mall, market hall, department store, boutique, pharmacy, shopping center
stage: stage, theater, theatre, spotlight, talent show, studio stage, tv studio, set,
 cinema, movie theater, opera, circus, movie set, film set, runway show, catwalk
concert_hall: concert hall, concert, auditorium, opera house, music hall, festival,
 music festival, rave, gig, recital
stadium: stadium, arena, ballpark, soccer field, football field, pitch, court, basketball
 court, tennis court, racetrack, race track, track, rink, ice rink, colosseum, bleachers
underwater: underwater, under the sea, under water, seabed, sea floor, ocean floor, reef,
 coral reef, deep sea, aquarium, shipwreck, atlantis, kelp forest, bottom of the sea,
 submarine, inside a submarine
space: space, outer space, galaxy, cosmos, orbit, universe, nebula, stars, starfield,
 solar system, deep space, milky way, black hole, asteroid, asteroid belt
space_station: space station, spaceship, spacecraft, starship, iss, space shuttle,
 inside a spaceship, cockpit, bridge of a starship, control room
moon: moon, lunar surface, the moon, moon surface, lunar, crater on the moon
mars: mars, martian surface, red planet, surface of mars, alien planet, planet, another planet
"""

_SETTING_NAMES = {
    "train_platform": "train platform", "living_room": "living room",
    "space_station": "space station", "concert_hall": "concert hall",
}


@cache
def _place_table() -> dict[str, str]:
    table = _keyed_lists(_PLACES_TEXT)
    for setting, name in _SETTING_NAMES.items():
        table[name] = setting
    return table


_PLACE_FILLER = frozenset(
    _words("""
    a an the in on at inside into onto near by of some my our their his her this that
    busy crowded empty quiet old big small little huge tiny beautiful dark bright cozy
    cosy sunny rainy snowy foggy abandoned ancient modern futuristic local tropical
    """)
)


@lru_cache(maxsize=1024)
def resolve_place(phrase: str, *, by_meaning: bool = True) -> PlaceMatch | None:
    """The setting a place phrase names ("a cosy pub" -> bar, "subway station" ->
    train_platform, "volcano" -> mountains), or ``None`` when it names no place.
    Phrases no table knows go by meaning to the nearest setting, marked ``guessed``
    (unless ``by_meaning=False``)."""
    words = re.findall(r"[a-zà-ÿ0-9'-]+", phrase.lower())
    while words and words[0] in _PLACE_FILLER:
        words = words[1:]
    if not words:
        return None
    table = _place_table()
    text = " ".join(words)
    # 1. The longest known phrase inside the words.
    for n in range(min(len(words), 4), 0, -1):
        # Right to left: the last word is the head ("ice cave" is a cave).
        for i in reversed(range(len(words) - n + 1)):
            chunk = " ".join(words[i: i + n])
            if chunk not in table and n == 1:
                chunk = _singular_place(chunk)
            if chunk in table:
                setting = table[chunk]
                name = _SETTING_NAMES.get(setting, setting)
                taken = None if chunk in (name, setting) else name
                return PlaceMatch(setting, text, taken)
    # 2. By meaning: only phrases that read as nouns, and only a clear nearest.
    if not by_meaning or all(_only_not_noun(w) for w in words):
        return None
    return _place_by_meaning(text)


def _singular_place(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


PLACE_VECTORS = Path(__file__).resolve().parent / "data" / "place_vectors.npz"


@cache
def _place_vectors() -> tuple[list[str], np.ndarray]:
    """Every place phrase in the table and its multilingual-e5 passage vector, read
    from ``data/place_vectors.npz`` (``scripts/build_place_vectors.py``); phrases added
    to the table since are embedded here."""
    import numpy as np

    from kinema.embeddings.multilingual import embed_passages

    phrases = sorted(_place_table())
    stored: dict[str, np.ndarray] = {}
    if PLACE_VECTORS.exists():
        with np.load(PLACE_VECTORS) as data:
            stored = dict(zip(data["phrases"].tolist(), data["vectors"].astype(np.float32),
                              strict=True))
    missing = [p for p in phrases if p not in stored]
    if missing:
        stored.update(zip(missing, embed_passages(missing), strict=True))
    return phrases, np.stack([stored[p] for p in phrases])


def _place_by_meaning(text: str) -> PlaceMatch | None:
    """The setting of the nearest table phrase by meaning. Single words are compared
    mostly by spelling by this model, so they must be near-identical to count."""
    try:
        from kinema.embeddings.multilingual import embed_queries
    except ImportError:  # pragma: no cover - the model ships with the package
        return None
    phrases, vectors = _place_vectors()
    scores = vectors @ embed_queries(text)[0]
    best = int(scores.argmax())
    score = float(scores[best])
    if score < (0.9 if " " not in text else 0.875):
        return None
    setting = _place_table()[phrases[best]]
    return PlaceMatch(setting, text, _SETTING_NAMES.get(setting, setting), True, score)
