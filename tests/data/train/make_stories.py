#!/usr/bin/env python3
"""Writes stories_alpaca.jsonl: a small instruction dataset for fine-tuning the stories260K fixture in tests.
Every response follows one pattern with a few slots, so a LoRA on a 260K-parameter model can learn it within
a couple of hundred steps and the test can check the loss drop and the greedy output. Deterministic (seed 7).
usage: make_stories.py > stories_alpaca.jsonl"""
import json, random

rng = random.Random(7)
names = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Anna", "Tim", "Lucy"]
animals = ["cat", "dog", "bird", "fish", "frog", "bear", "duck", "bunny"]
colors = ["red", "blue", "green", "yellow", "pink", "brown"]
places = ["park", "garden", "forest", "house", "pond", "yard"]
things = ["ball", "box", "hat", "cake", "kite", "toy"]
for i in range(320):
    n, a, c, p, t = (rng.choice(x) for x in (names, animals, colors, places, things))
    out = (f"Once upon a time, there was a {c} {a} named {n}. {n} liked to play in the {p}. "
           f"One day, {n} found a big {t}. {n} was very happy and said, \"Thank you!\" The end.")
    print(json.dumps({"instruction": f"Tell a story about a {c} {a} named {n}.", "input": "", "output": out}))
