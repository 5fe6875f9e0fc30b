"""The OpenAI simulator's site plans: varied, deterministic text per site, and near-copies.

A plan is composed from a seed (the hash of the prompt, so per brand and domain): a niche with its
own vocabulary, a page set, and sentences drawn from many templates with several slots each, so
two sites rarely share a run of five words. `near_copy(plan, ...)` rewrites another site's plan
for a new brand with a few words changed: what a lazy model (or a copy-paste) would produce, for
tests of the fleet's near-duplicate check.
"""

from __future__ import annotations

import random
import re

NICHES = [
    ("garden care", ["raised beds", "compost", "seedlings", "pruning", "perennials", "mulch", "soil tests", "hedges"],
     ["home gardeners", "allotment holders", "new homeowners", "balcony growers"]),
    ("bicycle repair", ["brake pads", "gear cables", "wheel truing", "chains", "tubeless tyres", "bearings", "saddles"],
     ["commuters", "weekend riders", "families", "students"]),
    ("home baking", ["sourdough", "pastry", "proving baskets", "rye loaves", "starters", "oven temperatures", "flour"],
     ["home bakers", "beginners", "busy parents", "weekend cooks"]),
    ("dog training", ["recall", "loose-lead walking", "puppy classes", "crate training", "socialising", "leads", "treats"],
     ["new owners", "rescue adopters", "families with children", "first-time owners"]),
    ("language tutoring", ["grammar", "conversation practice", "pronunciation", "vocabulary lists", "exam preparation",
                           "reading groups"], ["adult learners", "students", "expats", "travellers"]),
    ("wedding photography", ["engagement shoots", "albums", "candid portraits", "venue scouting", "prints",
                             "family groups"], ["couples", "planners", "families", "venues"]),
    ("kitchen renovation", ["worktops", "cabinet doors", "tiling", "lighting plans", "layouts", "splashbacks",
                            "storage"], ["homeowners", "landlords", "small households", "renters"]),
    ("bookkeeping", ["invoices", "receipts", "monthly reports", "payroll", "expense tracking", "year-end files"],
     ["freelancers", "small shops", "start-ups", "sole traders"]),
    ("yoga classes", ["breathing", "balance work", "morning flows", "stretching", "mats", "restorative sessions"],
     ["beginners", "office workers", "older adults", "runners"]),
    ("coffee roasting", ["single origins", "espresso blends", "grind sizes", "brewing guides", "green beans",
                         "tasting notes"], ["home brewers", "cafes", "offices", "gift buyers"]),
    ("pet grooming", ["nail trims", "coat care", "bathing", "deshedding", "ear cleaning", "brushes"],
     ["cat owners", "dog owners", "breeders", "older pets"]),
    ("solar installation", ["roof surveys", "inverters", "battery storage", "panel cleaning", "monitoring apps",
                            "mounting rails"], ["homeowners", "farms", "small businesses", "schools"]),
    ("piano lessons", ["scales", "sight reading", "chord charts", "recital pieces", "practice plans", "ear training"],
     ["children", "adult beginners", "returning players", "exam candidates"]),
    ("interior painting", ["wall preparation", "colour samples", "trim work", "ceilings", "primer", "clean edges"],
     ["homeowners", "landlords", "offices", "shops"]),
    ("hiking tours", ["trail maps", "day hikes", "packing lists", "mountain huts", "route planning", "weather checks"],
     ["walkers", "families", "solo travellers", "small groups"]),
    ("window cleaning", ["frames", "skylights", "conservatories", "gutters", "pure water poles", "sills"],
     ["households", "shops", "offices", "landlords"]),
]

ADJECTIVES = ["clear", "patient", "practical", "careful", "friendly", "honest", "steady", "thorough", "calm",
              "reliable", "thoughtful", "local", "flexible", "straightforward", "attentive", "independent"]
ADVERBS = ["carefully", "quietly", "properly", "patiently", "simply", "gladly", "openly", "calmly"]
TIMES = ["every season", "each week", "before the busy months", "at the start", "over time", "on short notice",
         "after the first visit", "during the winter", "in the first month", "from day one"]
FEELINGS = ["confident", "relaxed", "well prepared", "in control", "at ease", "sure of the next step"]
OPENERS = ["In short,", "For most people,", "Above all,", "Put simply,", "In practice,", "Most of the time,",
           "From experience,", "As a rule,"]

SENTENCES = [
    "{brand} helps {people} with {thing} and {thing2}, {time}.",
    "{opener} {thing} goes better when someone explains it {adv}.",
    "Our {adj} approach to {topic} starts with listening to what {people} actually need.",
    "We look at {thing} first, because it shapes everything that follows.",
    "Many {people} come to us unsure about {thing}; they leave feeling {feeling}.",
    "{opener} we would rather do {thing2} once and {adv} than twice in a hurry.",
    "The team at {brand} keeps notes on {thing}, so nothing is forgotten {time}.",
    "You will always know what happens next with your {thing}, and why.",
    "{topic_cap} is not complicated once {thing} and {thing2} are in order.",
    "We answer questions about {thing} {adv}, even the ones that seem small.",
    "Good {thing} makes a real difference to {people}, {time}.",
    "{opener} small habits around {thing2} matter more than expensive tools.",
    "Every plan we make for {people} is written down in {adj} language.",
    "{brand} was started by people who care about {topic} and about doing it {adv}.",
    "Ask us about {thing} and we will show you what we would do in your place.",
    "Some {people} want a quick fix for {thing}; we explain the {adj} option as well.",
    "We check {thing2} again {time}, so problems are caught early.",
    "There is no pressure to decide on {thing} straight away.",
    "If {thing} is new to you, we begin with the basics and build from there.",
    "Our work on {thing2} is {adj}, unhurried and easy to follow.",
    "We share what we learn about {thing} so {people} can do more themselves.",
    "{opener} the best results with {topic} come from {a_adj} routine.",
    "You can expect {a_adj} answer about {thing}, usually the same day.",
    "We keep our advice on {thing2} short, specific and useful.",
    "Questions from {people} about {thing} shape most of what we write here.",
    "{a_adj} first conversation about {topic} saves time for everyone later.",
    "We only recommend changes to {thing} that we would make ourselves.",
    "{brand} prefers {adj} work on {thing2} to shortcuts that fail {time}.",
]

QUESTIONS = [
    ("How do I get started with {thing}?",
     "Tell us a little about your situation and we will suggest {a_adj} first step with {thing}."),
    ("Do you work with {people}?",
     "Yes. Much of our work on {topic} is with {people}, and we adapt to what each of them needs."),
    ("What should I prepare before we talk about {thing2}?",
     "Nothing special: a few notes about {thing2} and any questions you already have are enough."),
    ("How long does {thing} usually take?",
     "It depends on the details, and we tell you honestly once we have looked at your {thing}."),
    ("Can you help if something has already gone wrong with {thing2}?",
     "Often, yes. We look at {thing2} {adv} and explain the options before anything is changed."),
    ("Why does {thing} matter so much for {topic}?",
     "Because {thing} affects everything else; getting it right early makes {topic} much easier."),
    ("Will you explain what you are doing?",
     "Always. We describe each step in {adj} language, and you can ask about anything at any time."),
    ("Is {brand} a good fit for {people}?",
     "We think so: {brand} keeps things {adj} and practical, which {people} tell us they value."),
]

PAGES = [("about", "About", "About {brand}"), ("services", "Services", "What {brand} offers"),
         ("faq", "FAQ", "Frequently asked questions"), ("contact", "Contact", "Contact {brand}"),
         ("guides", "Guides", "Guides to {topic}"), ("approach", "Our approach", "How {brand} works")]

HEADINGS = ["Why {topic} matters", "How we work", "What to expect", "Getting started", "Looking after {thing}",
            "A note on {thing2}", "For {people}", "What makes {brand} different", "Our promise",
            "Before you begin", "Common questions about {thing}", "Next steps"]


def _niche(brand: str, domain: str, rng: random.Random):
    """The niche the brand or domain names (e.g. "garden"), else one from the seed."""
    words = set(re.findall(r"[a-z]+", f"{brand} {domain}".lower()))
    named = [n for n in NICHES if words & set(re.findall(r"[a-z]+", n[0]))]
    return rng.choice(named or NICHES)


class _Writer:
    def __init__(self, brand: str, domain: str, seed: bytes):
        self.rng = random.Random(seed)
        self.brand, self.domain = brand, domain
        self.topic, self.things, self.people = _niche(brand, domain, self.rng)
        self.headings: set[str] = set()

    def fill(self, template: str) -> str:
        rng = self.rng
        thing, thing2 = rng.sample(self.things, 2)
        adj = rng.choice(ADJECTIVES)
        text = template.format(
            brand=self.brand, domain=self.domain, topic=self.topic, topic_cap=self.topic.capitalize(), thing=thing,
            thing2=thing2, people=rng.choice(self.people), adj=adj, a_adj=("an " if adj[0] in "aeiou" else "a ") + adj,
            adv=rng.choice(ADVERBS), time=rng.choice(TIMES), feeling=rng.choice(FEELINGS),
            opener=rng.choice(OPENERS))
        return text[0].upper() + text[1:]

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.fill(t) for t in self.rng.sample(SENTENCES, sentences))

    def section(self) -> str:
        template = self.rng.choice([h for h in HEADINGS if h not in self.headings])
        self.headings.add(template)
        heading = self.fill(template)
        return f"## {heading}\n\n{self.paragraph(self.rng.randint(3, 4))}"

    def items(self) -> str:
        return "\n".join(f"- {self.fill(t)}" for t in self.rng.sample(SENTENCES, 3))

    def body(self, slug: str) -> str:
        rng = self.rng
        self.headings = set()
        if slug == "faq":
            qas = rng.sample(QUESTIONS, rng.randint(4, 6))
            return "\n\n".join([self.paragraph(2)] + [f"## {self.fill(q)}\n\n{self.fill(a)} {self.paragraph(1)}"
                                                      for q, a in qas])
        if slug == "services":
            parts = [self.paragraph(2)]
            for thing in rng.sample(self.things, 3):
                parts.append(f"## {thing.capitalize()}\n\n{self.paragraph(2)}")
            return "\n\n".join(parts)
        parts = [self.paragraph(3), self.section(), self.items()]
        if rng.random() < 0.6:
            parts.append(self.section())
        return "\n\n".join(parts)

    def description(self, label: str | None) -> str:
        thing = self.rng.choice(self.things)
        text = f"{label + ' at ' if label else ''}{self.brand}: {self.rng.choice(ADJECTIVES)} help with {self.topic} " \
               f"and {thing} for {self.rng.choice(self.people)}."
        return text[:158]

    def plan(self) -> dict:
        rng = self.rng
        # Every site has an about page (as most do); the others vary.
        chosen = [PAGES[0]] + rng.sample(PAGES[1:], rng.randint(1, 4))
        pages = [{"slug": "home", "title": f"{self.brand}: {self.fill(rng.choice(['{adj} help with {topic}', '{topic_cap} for {people}', '{topic_cap}, done {adv}']))}",
                  "nav_label": "Home", "seo_description": self.description(None),
                  "body_markdown": self.body("home")}]
        for slug, label, title in chosen:
            pages.append({"slug": slug, "title": self.fill(title), "nav_label": label,
                          "seo_description": self.description(label), "body_markdown": self.body(slug)})
        tagline = self.fill(rng.choice(["{adj} {topic} for {people}", "{topic_cap}, explained {adv}",
                                        "{adj} help with {thing} and {thing2}"]))
        return {"tagline": tagline[:120], "pages": pages}


def write_plan(brand: str, domain: str, seed: bytes) -> dict:
    """A realistic, deterministic site plan for this brand and domain (varies with the seed)."""
    return _Writer(brand, domain, seed).plan()


_SWAPS = {"the": "this", "and": "plus", "we": "our team", "with": "alongside", "our": "the", "is": "remains",
          "for": "to benefit", "about": "regarding", "you": "people", "a": "one"}
_FILLERS = ("also", "often", "really", "usually", "still")


def near_copy(plan: dict, *, source_brand: str, source_domain: str, brand: str, domain: str) -> dict:
    """Another site's plan under this brand: names swapped and one word in twenty changed (a
    synonym, or a filler word added), which leaves pages at a Jaccard of about 0.6-0.7 on
    five-word shingles: a near-copy, not a copy."""
    def rewrite(text: str) -> str:
        text = text.replace(source_brand, brand).replace(source_domain, domain)
        words = text.split(" ")
        for n, i in enumerate(range(7, len(words), 20)):
            word = words[i]
            if "\n" in word or not word.isalpha():
                continue
            swap = _SWAPS.get(word.lower())
            words[i] = swap if swap else f"{word} {_FILLERS[n % len(_FILLERS)]}"
        return " ".join(words)

    return {"tagline": rewrite(plan["tagline"]),
            "pages": [{k: (rewrite(v) if k in ("title", "seo_description", "body_markdown") else v)
                       for k, v in page.items()} for page in plan["pages"]]}
