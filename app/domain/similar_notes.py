"""Grouping suggestions: post-its that say the same idea in other words, for the facilitator to merge.

Pure code: no web, no database, no network. Each pair of notes gets a score, a weighted mean of
three similarities: the cosines of two TF-IDF vectors fitted on the notes themselves, one over
French word stems (stop words out, Snowball stemmer, accents folded), which sees « les aidants
formés » and « former les aidants » as the same words, one over character n-grams within words,
which forgives typos and phone typing (« numerique », « illetrisme »); and rapidfuzz's
token_set_ratio of the stems, which scores a short note high when its words are all in a longer
one (« zones blanches », « Zones blanches dans les vallées »). Notes are then joined by average
linkage: two groups merge while the mean score of all their cross pairs reaches the threshold, so
that one chance resemblance cannot chain two ideas together, as connected components would.
Weights, threshold and linkage were chosen by `bench/grouping.py`.
"""

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

# Measured on tests/data/postits_groups.yaml by bench/grouping.py: the lowest threshold whose
# suggested pairs keep a precision of 0.8 (a wrong suggestion costs the facilitator more than a
# missed one).
DEFAULT_THRESHOLD = 0.55
WORD_WEIGHT = 0.325
CHAR_WEIGHT = 0.325

# French function words, and the words of nearly every post-it of an inclusion workshop, too common
# to tell two ideas apart.
_STOP_TEXT = """
    a au aux avec ce ces cet cette d dans de des du elle en et eux il ils je l la le les leur leurs
    lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses
    son sur t ta te tes toi ton tu un une vos votre vous y c est sont ont a etre avoir fait faire
    plus tres trop tout tous toute toutes peu bien encore deja sans chez entre comme aussi si
    numerique numeriques personne personnes situation gens manque public publics ligne
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class Suggestion:
    ids: tuple[int, ...]
    confidence: float


def fold(text: str) -> str:
    """Lowercase, accents off (« Démarches » → « demarches »)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("french")


def stems(text: str) -> list[str]:
    """The note's content words as folded French stems; the stemmer sees the accents, which its
    rules need, and folding after it makes « démarche » and « demarche » one stem."""
    words = re.findall(r"\w+", text.lower().replace("’", "'"))
    kept = [w for w in words if fold(w) not in STOP_WORDS and not w.isdigit()]
    return [fold(s) for s in _stemmer().stemWords(kept)]


def pair_scores(texts: Sequence[str]) -> Any:
    """The n × n matrix of pair scores in 0..1 (numpy array), diagonal included."""
    import numpy as np
    from rapidfuzz import fuzz, process
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    stemmed = [" ".join(stems(t)) for t in texts]
    n = len(texts)
    scores = np.zeros((n, n))
    if not any(stemmed):
        return scores
    words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True).fit_transform(stemmed)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(
        [s or " " for s in stemmed]
    )
    tokens = process.cdist(stemmed, stemmed, scorer=fuzz.token_set_ratio, dtype=np.float64, workers=1) / 100
    empty = np.array([not s for s in stemmed])
    tokens[empty, :] = 0.0
    tokens[:, empty] = 0.0
    scores = (
        WORD_WEIGHT * cosine_similarity(words)
        + CHAR_WEIGHT * cosine_similarity(chars)
        + (1 - WORD_WEIGHT - CHAR_WEIGHT) * tokens
    )
    return np.clip(scores, 0.0, 1.0)


def suggest(
    notes: Sequence[tuple[int, str]],
    threshold: float = DEFAULT_THRESHOLD,
    dismissed: Collection[frozenset[int]] = (),
    linkage: str = "average",
) -> list[Suggestion]:
    """Groups of two or more similar notes, the most confident first; a note is in at most one
    group, and two notes of a dismissed set are never in one. ``linkage``: "average" (the
    default), or "single" (connected components of the pairs above the threshold, for the bench)."""
    import numpy as np

    ids = [note_id for note_id, _ in notes]
    if len(notes) < 2:
        return []
    scores = pair_scores([text for _, text in notes])
    n = len(ids)
    apart = np.zeros((n, n), dtype=bool)
    position = {note_id: i for i, note_id in enumerate(ids)}
    for group in dismissed:
        inside = [position[note_id] for note_id in group if note_id in position]
        apart[np.ix_(inside, inside)] = True
    # Cluster-to-cluster links, updated on each merge (Lance-Williams); -1 marks what may not merge.
    links = np.where(apart, -1.0, scores)
    np.fill_diagonal(links, -1.0)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while True:
        first, second = (int(k) for k in np.unravel_index(int(np.argmax(links)), links.shape))
        if links[first, second] < threshold:
            break
        x, y = min(first, second), max(first, second)
        if linkage == "single":
            merged = np.maximum(links[x], links[y])
        else:
            size_x, size_y = len(members[x]), len(members[y])
            merged = (size_x * links[x] + size_y * links[y]) / (size_x + size_y)
        merged[apart[x] | apart[y]] = -1.0
        apart[x] |= apart[y]
        apart[:, x] = apart[x]
        links[x], links[:, x] = merged, merged
        links[y], links[:, y] = -1.0, -1.0
        links[x, x] = -1.0
        members[x] += members.pop(y)
    clusters = list(members.values())

    suggestions = []
    for cluster in clusters:
        if len(cluster) < 2:
            continue
        inner = [float(scores[i, j]) for i in cluster for j in cluster if i < j]
        suggestions.append(
            Suggestion(tuple(sorted(ids[i] for i in cluster)), round(sum(inner) / len(inner), 4))
        )
    return sorted(suggestions, key=lambda s: (-s.confidence, s.ids))
