"""Seams closed by construction (issue 14): the back hair's rim travels with the back hair."""

from __future__ import annotations

import numpy as np

from inference.layers.ownership import give_rims_to_hair


def test_body_rim_along_the_back_hair_goes_to_the_hair_the_body_stays():
    names = ("BackHair", "Body")
    h = w = 200
    hair = np.zeros((h, w), bool)
    hair[20:200, 60:100] = True
    body = np.zeros((h, w), bool)
    body[130:200, 20:180] = True  # the torso, wider than any rim
    rim = np.zeros((h, w), bool)
    rim[20:130, 56:60] = True  # the hair's outline on its outer side, labelled body by the parser
    strap = np.zeros((h, w), bool)
    strap[100:130, 160:164] = True  # a thin body piece away from the hair stays body
    body |= rim | strap
    hair &= ~body
    opaque = hair | body
    visible = {"BackHair": hair.copy(), "Body": body.copy()}
    rank = np.where(body, 1, np.where(hair, 0, -1)).astype(np.int16)
    moved = give_rims_to_hair(names, rank, opaque, visible, fw=100.0)
    assert moved >= rim.sum() * 0.9
    assert visible["BackHair"][rim].mean() > 0.9 and (rank[rim & visible["BackHair"]] == 0).all()
    assert visible["Body"][strap].all()
    assert visible["Body"][140:200, 30:170].mean() > 0.97
    assert not (visible["Body"] & visible["BackHair"]).any()
    assert moved < rim.sum() + 0.02 * body.sum()


def test_small_body_island_beside_the_back_hair_goes_with_the_hair():
    names = ("BackHair", "Body")
    hair = np.zeros((200, 200), bool)
    hair[20:200, 60:100] = True
    body = np.zeros((200, 200), bool)
    body[130:200, 20:180] = True
    blob = np.zeros((200, 200), bool)
    blob[40:52, 100:112] = True  # a background blob the foreground kept, touching the hair
    far = np.zeros((200, 200), bool)
    far[40:52, 150:162] = True  # a body island away from the hair stays
    body |= blob | far
    hair &= ~body
    visible = {"BackHair": hair.copy(), "Body": body.copy()}
    rank = np.where(body, 1, np.where(hair, 0, -1)).astype(np.int16)
    give_rims_to_hair(names, rank, hair | body, visible, fw=100.0)
    assert visible["BackHair"][blob].all() and visible["Body"][far].all()
    assert visible["Body"][140:200, 30:170].all()
