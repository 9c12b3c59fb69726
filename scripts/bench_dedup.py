"""Helpers for scripts/bench-dedup: corpus generator, Python baselines, scoring.

    gen OUT_DIR MB          corpus.jsonl + truth.json from the bench ground-truth texts
    baseline KIND CORPUS    KIND = datasketch | rensa: MinHashLSH dedup, prints ids
    score TRUTH PRED [CORPUS]  precision / recall of predicted duplicate ids (JSON); with
                            CORPUS, copies with containment >= 0.8 count as duplicates too

Shingles are chaff's: per line, words = runs of letters/digits lowercased (dashes
and whitespace split words, other characters dropped), word 3-grams, a line of
fewer than 3 words is one shingle.
"""
import glob
import json
import random
import re
import sys

SPLIT = re.compile(r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]+")


def words(line):
    out = []
    for w in SPLIT.split(line):
        w = "".join(c for c in w if c.isalnum()).lower()
        if w:
            out.append(w)
    return out


def shingles(text, k=3):
    s = set()
    for line in text.splitlines():
        w = words(line)
        if not w:
            continue
        if len(w) < k:
            s.add(" ".join(w))
        else:
            s.update(" ".join(w[i : i + k]) for i in range(len(w) - k + 1))
    return s


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 0.0


def gen(out_dir, mb):
    """Base documents are random paragraphs of the bench articles, each with 15% of
    its words replaced, so no two bases are alike. A quarter of the documents are
    planted copies of an earlier base: one in eight exact, the rest with 0-8% of
    words substituted (Jaccard from 1.0 down to about 0.55) and sometimes a word
    inserted per paragraph."""
    rng = random.Random(20240501)
    paras = []
    for f in sorted(glob.glob("/work/shared/bench/pages/*.gt.txt")):
        for line in open(f, encoding="utf-8"):
            if len(line.split()) >= 8:
                paras.append(line.strip())
    vocab = sorted({w for p in paras for w in p.split()})
    target = mb * 1_000_000
    size, n = 0, 0
    bases = []
    truth = {}  # copy id -> highest Jaccard to its base or an earlier copy of it
    family = {}  # base id -> shingle sets of the base and its copies so far
    with open(f"{out_dir}/corpus.jsonl", "w", encoding="utf-8") as out:
        while size < target:
            if bases and rng.random() < 0.25:
                base_id, base_text = rng.choice(bases)
                p = 0.0 if rng.random() < 0.125 else rng.uniform(0.0, 0.08)
                lines = []
                for line in base_text.split("\n"):
                    ws = line.split(" ")
                    for i in range(len(ws)):
                        if rng.random() < p:
                            ws[i] = rng.choice(vocab)
                    if rng.random() < p:
                        ws.insert(rng.randrange(len(ws) + 1), rng.choice(vocab))
                    lines.append(" ".join(ws))
                text = "\n".join(lines)
                doc_id = f"copy{n}"
                sh = shingles(text)
                best = max(jaccard(sh, other) for other in family[base_id])
                family[base_id].append(sh)
                truth[doc_id] = {"of": base_id, "j": best}
            else:
                chosen = rng.sample(paras, rng.randint(6, 20))
                lines = []
                for para in chosen:
                    ws = para.split(" ")
                    for i in range(len(ws)):
                        if rng.random() < 0.15:
                            ws[i] = rng.choice(vocab)
                    lines.append(" ".join(ws))
                text = "\n\n".join(lines)
                doc_id = f"base{n}"
                bases.append((doc_id, text))
                family[doc_id] = [shingles(text)]
            line = json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n"
            out.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    json.dump({"docs": n, "bytes": size, "copies": truth}, open(f"{out_dir}/truth.json", "w"))
    print(f"{n} documents, {size / 1e6:.1f} MB, {len(truth)} planted copies", file=sys.stderr)


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            yield r["id"], r["text"]


def baseline(kind, corpus):
    dups = []
    if kind == "datasketch":
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=0.8, num_perm=128)
        # The permutations are drawn once and shared, as datasketch's docs advise for
        # many sketches: drawing them for every document cost a third of its time.
        first = MinHash(num_perm=128)
        for doc_id, text in read_corpus(corpus):
            m = MinHash(num_perm=128, permutations=first.permutations, scheme=first.scheme)
            m.update_batch([s.encode("utf-8") for s in shingles(text)])
            if lsh.query(m):
                dups.append(doc_id)
            else:
                lsh.insert(doc_id, m)
    elif kind == "rensa":
        from rensa import RMinHash, RMinHashLSH

        # rensa needs bands dividing 128: 16 bands of 8 rows (candidates from about
        # Jaccard 0.7), then each candidate is checked with the signatures' own
        # Jaccard estimate against 0.8, the usual way to sharpen the threshold.
        lsh = RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16)
        kept = []
        for doc_id, text in read_corpus(corpus):
            m = RMinHash(num_perm=128, seed=42)
            m.update(list(shingles(text)))
            if any(kept[c].jaccard(m) >= 0.8 for c in lsh.query(m)):
                dups.append(doc_id)
            else:
                lsh.insert(len(kept), m)
                kept.append(m)
    else:
        sys.exit(f"unknown baseline {kind}")
    for d in dups:
        print(d)


def containment_positives(truth, corpus, threshold):
    """Copies whose shingle containment (overlap over the smaller set) with their base
    or an earlier copy of the same base reaches `threshold`: the truth for a run that
    also flags truncated or extended reprints (chaff's default `doc_containment`)."""
    copies = truth["copies"]
    family = {}
    out = set()
    for doc_id, text in read_corpus(corpus):
        if doc_id.startswith("base"):
            family[doc_id] = [shingles(text)]
        elif doc_id in copies:
            sh = shingles(text)
            fam = family[copies[doc_id]["of"]]
            if any(len(sh & o) / max(1, min(len(sh), len(o))) >= threshold for o in fam):
                out.add(doc_id)
            fam.append(sh)
    return out


def score(truth_path, pred_path, threshold=0.8, corpus=None):
    truth = json.load(open(truth_path))
    copies = truth["copies"]
    # A copy is a true duplicate when its Jaccard with its base or an earlier copy of
    # the same base reaches the threshold; all other pairs are unrelated by
    # construction (bases share no more than a reused, 15%-edited paragraph).
    positives = {c for c, t in copies.items() if t["j"] >= threshold}
    if corpus:
        positives |= containment_positives(truth, corpus, threshold)
    pred = {l.strip() for l in open(pred_path) if l.strip()}
    tp = len(pred & positives)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(positives) if positives else 1.0
    print(json.dumps({"precision": precision, "recall": recall, "predicted": len(pred),
                      "positives": len(positives)}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    elif cmd == "baseline":
        baseline(sys.argv[2], sys.argv[3])
    elif cmd == "score":
        score(sys.argv[2], sys.argv[3], corpus=sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        sys.exit(__doc__)
