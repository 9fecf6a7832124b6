"""Trains personas/<persona>.security-model.json (see scripts/train-security-model).

The Rust side (src/engine/security/model.rs) must read text exactly as
`tokens` does here: lower-case, ASCII letters and digits, unigrams and
bigrams joined by one space; sublinear tf (1 + ln count) times idf, L2
normalised; sigmoid(w.x + b) for the binary model, argmax(W.x + c) for the
class.
"""
import argparse
import glob
import json
import os
import re

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

THRESHOLD = 0.7


def tokens(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def load(corpus):
    paths = sorted(glob.glob(os.path.join(corpus, "*.jsonl"))) if os.path.isdir(corpus) else [corpus]
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    # Code is read by the analysers, not by this model.
                    if row.get("style") != "code":
                        rows.append(row)
    return rows


def rounded(values):
    return [float(f"{v:.4g}") for v in values]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", action="append", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [r for c in args.corpus for r in load(c)]
    texts = [r["answer"] for r in rows]
    flagged = [1 if r["expected"] == "security_vulnerability" else 0 for r in rows]
    vec = TfidfVectorizer(tokenizer=tokens, lowercase=False, ngram_range=(1, 2), min_df=2,
                          sublinear_tf=True, token_pattern=None, norm="l2", smooth_idf=True)
    x = vec.fit_transform(texts)
    binary = LogisticRegression(C=4, max_iter=3000, class_weight="balanced").fit(x, flagged)
    vulnerable = [i for i, f in enumerate(flagged) if f]
    classes = LogisticRegression(C=4, max_iter=3000).fit(x[vulnerable], [rows[i]["vuln"] for i in vulnerable])
    terms = vec.get_feature_names_out().tolist()
    model = {
        "format": "viva-security-text-model/1",
        "trained_on": sorted({os.path.basename(c) for c in args.corpus}),
        "answers": len(rows),
        "threshold": THRESHOLD,
        "terms": terms,
        "idf": rounded(vec.idf_),
        "weight": rounded(binary.coef_[0]),
        "bias": float(binary.intercept_[0]),
        "classes": classes.classes_.tolist(),
        "class_bias": rounded(classes.intercept_),
        # terms x classes, row-major
        "class_weight": rounded(classes.coef_.T.reshape(-1)),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(model, f, separators=(",", ":"))
        f.write("\n")
    print(f"{args.out}: {len(rows)} answers, {sum(flagged)} vulnerable, {len(terms)} terms, "
          f"{len(model['classes'])} classes")


if __name__ == "__main__":
    main()
