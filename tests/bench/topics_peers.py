#!/usr/bin/python3
"""Peer systems for tests/bench/topics.sh: fold splitting, scikit-learn TF-IDF + LinearSVC, and
fastText. Run with /usr/bin/python3 (Debian's python3-sklearn). Results go to JSON files in the
work directory so topics.sh can print one table. Not a CI test.

Fold rule shared with `newsenrichd train-topics/eval-topics --folds N --fold K`: the record
with 0-based index i (data lines after the header) is in test fold i % N.
"""
import gzip, json, os, pickle, random, re, resource, subprocess, sys, time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

UNESC = re.compile(r"\\(.)")


def unescape(s):
    return UNESC.sub(lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(1)), s)


def read_tsv(path):
    op = gzip.open if path.endswith(".gz") else open
    docs = []
    with op(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n == 0 and line.startswith("#"):
                continue
            line = line.rstrip("\n")
            labels, _, text = line.partition("\t")
            docs.append((labels.split("|"), unescape(text)))
    return docs


def folds(docs, nfolds, k):
    train = [d for i, d in enumerate(docs) if i % nfolds != k]
    test = [d for i, d in enumerate(docs) if i % nfolds == k]
    return train, test


def ft_text(text):
    # fastText's own classification examples lowercase and split punctuation off words.
    t = text.lower()
    t = re.sub(r"([^\w\s])", r" \1 ", t)
    return " ".join(t.split())


def ft_write(path, docs, shuffle_seed=None):
    docs = list(docs)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(docs)
    with open(path, "w", encoding="utf-8") as f:
        for labels, text in docs:
            f.write(" ".join("__label__" + l for l in labels) + " " + ft_text(text) + "\n")


def run_sklearn(path, nfolds, multilabel, out):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.pipeline import make_pipeline
    from sklearn.metrics import f1_score
    import numpy as np

    docs = read_tsv(path)
    CS = [0.3, 1.0, 3.0, 10.0]
    grid = [(ng, c) for ng in [(1, 1), (1, 2)] for c in CS]
    mlb = MultiLabelBinarizer().fit([d[0] for d in docs])
    scores = {g: [] for g in grid}
    fit_time = {g: [] for g in grid}
    for k in range(nfolds):
        train, test = folds(docs, nfolds, k)
        xtr = [d[1] for d in train]
        xte = [d[1] for d in test]
        for ng in [(1, 1), (1, 2)]:
            t0 = time.perf_counter()
            vec = TfidfVectorizer(sublinear_tf=True, ngram_range=ng, min_df=1 if ng == (1, 1) else 2)
            xv = vec.fit_transform(xtr)
            tvec = time.perf_counter() - t0
            xt = vec.transform(xte)
            for c in CS:
                t0 = time.perf_counter()
                if multilabel:
                    clf = OneVsRestClassifier(LinearSVC(C=c))
                    clf.fit(xv, mlb.transform([d[0] for d in train]))
                    pred = clf.predict(xt)
                    s = f1_score(mlb.transform([d[0] for d in test]), pred, average="micro")
                else:
                    clf = LinearSVC(C=c)
                    clf.fit(xv, [d[0][0] for d in train])
                    pred = clf.predict(xt)
                    s = float(np.mean([p == d[0][0] for p, d in zip(pred, test)]))
                fit_time[(ng, c)].append(tvec + time.perf_counter() - t0)
                scores[(ng, c)].append(s)
            print("sklearn", path, "fold", k, ng, [round(scores[(ng, c)][-1], 4) for c in CS],
                  file=sys.stderr, flush=True)
    best = max(grid, key=lambda g: sum(scores[g]))
    # Speed and size with the best configuration, trained on fold 0's train part.
    ng, c = best
    train, test = folds(docs, nfolds, 0)
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=ng, min_df=1 if ng == (1, 1) else 2)
    clf = OneVsRestClassifier(LinearSVC(C=c)) if multilabel else LinearSVC(C=c)
    pipe = make_pipeline(vec, clf)
    ytr = mlb.transform([d[0] for d in train]) if multilabel else [d[0][0] for d in train]
    pipe.fit([d[1] for d in train], ytr)
    xte = [d[1] for d in test]
    pipe.predict(xte[:50])  # warm
    # process CPU time (BLAS/OpenMP pinned to one thread above): robust on a shared machine
    t0 = time.process_time()
    reps = 0
    while True:
        pipe.predict(xte)
        reps += 1
        if time.process_time() - t0 > 3.0:
            break
    dps = reps * len(xte) / (time.process_time() - t0)
    size = len(pickle.dumps(pipe, protocol=pickle.HIGHEST_PROTOCOL))
    res = {"system": "sklearn", "config": "tfidf ngram=%s C=%g" % (ng, c),
           "score": sum(scores[best]) / nfolds, "folds": scores[best],
           "train_s": sum(fit_time[best]) / nfolds, "docs_per_sec": dps, "model_bytes": size,
           "grid": {"%s C=%g" % g: sum(v) / nfolds for g, v in scores.items()}}
    json.dump(res, open(out, "w"), indent=1)


def ft_test(model, testfile, multilabel, th):
    if multilabel:
        o = subprocess.run(["fasttext", "test", model, testfile, "-1", str(th)], capture_output=True, text=True).stdout
    else:
        o = subprocess.run(["fasttext", "test", model, testfile, "1"], capture_output=True, text=True).stdout
    p = float(re.search(r"P@-?\d+\s+([\d.]+)", o).group(1))
    r = float(re.search(r"R@-?\d+\s+([\d.]+)", o).group(1))
    return (2 * p * r / (p + r) if p + r else 0.0) if multilabel else p


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def ft_speed(model, testfile, work, multilabel, th):
    # Warm prediction speed, one thread (fasttext predict is single-threaded), in CPU seconds
    # of the child: time on the test fold repeated 10x minus time on one line (model load).
    big = os.path.join(work, "big.txt")
    lines = open(testfile, encoding="utf-8").read().splitlines(True)
    with open(big, "w", encoding="utf-8") as f:
        for _ in range(10):
            f.writelines(lines)
    one = os.path.join(work, "one.txt")
    open(one, "w", encoding="utf-8").write(lines[0])
    args = ["-1", str(th)] if multilabel else ["1"]

    def timed(fn):
        best = 1e9
        for _ in range(3):
            t0 = child_cpu()
            subprocess.run(["fasttext", "predict", model, fn] + args, stdout=subprocess.DEVNULL, check=True)
            best = min(best, child_cpu() - t0)
        return best
    return 10 * len(lines) / max(1e-9, timed(big) - timed(one))


def fasttext_speed(path, nfolds, multilabel, out, work):
    # Re-measures speed of an existing result: retrains fold 0 with its best configuration.
    res = json.load(open(out))
    m = re.search(r"epoch=(\d+) lr=([\d.]+)(?: ova th=([\d.]+))?", res["config"])
    e, lr, th = int(m.group(1)), float(m.group(2)), float(m.group(3) or 0)
    base = ["fasttext", "supervised", "-wordNgrams", "2", "-thread", "2", "-verbose", "0"]
    if multilabel:
        base += ["-loss", "ova"]
    model = os.path.join(work, "speed")
    subprocess.run(base + ["-input", os.path.join(work, "train0.txt"), "-output", model,
                           "-epoch", str(e), "-lr", str(lr)], check=True)
    res["docs_per_sec"] = ft_speed(model + ".bin", os.path.join(work, "test0.txt"), work, multilabel, th)
    os.unlink(model + ".bin")
    json.dump(res, open(out, "w"), indent=1)


def run_fasttext(path, nfolds, multilabel, out, work):
    docs = read_tsv(path)
    os.makedirs(work, exist_ok=True)
    for k in range(nfolds):
        train, test = folds(docs, nfolds, k)
        ft_write(os.path.join(work, "train%d.txt" % k), train, shuffle_seed=k + 1)
        ft_write(os.path.join(work, "test%d.txt" % k), test)
    grid = [(e, lr) for e in [5, 25, 50] for lr in [0.1, 0.5, 1.0]]
    ths = [0.2, 0.3, 0.4, 0.5] if multilabel else [None]
    base = ["fasttext", "supervised", "-wordNgrams", "2", "-thread", "2", "-verbose", "0"]
    if multilabel:
        base += ["-loss", "ova"]

    def train(k, e, lr):
        model = os.path.join(work, "m%d" % k)
        t0 = time.perf_counter()
        subprocess.run(base + ["-input", os.path.join(work, "train%d.txt" % k), "-output", model,
                               "-epoch", str(e), "-lr", str(lr)], check=True)
        return model + ".bin", time.perf_counter() - t0

    # Tune epochs, lr (and the ova threshold) on fold 0, then run every fold with the best.
    tune = {}
    for e, lr in grid:
        model, _ = train(0, e, lr)
        for th in ths:
            tune[(e, lr, th)] = ft_test(model, os.path.join(work, "test0.txt"), multilabel, th)
        print("fasttext", path, "tune", e, lr, [round(tune[(e, lr, th)], 4) for th in ths], file=sys.stderr, flush=True)
        os.unlink(model)
    e, lr, th = max(tune, key=lambda g: tune[g])
    scores, times = [], []
    size = dps = None
    for k in range(nfolds):
        model, t = train(k, e, lr)
        times.append(t)
        testfile = os.path.join(work, "test%d.txt" % k)
        scores.append(ft_test(model, testfile, multilabel, th))
        if k == 0:
            size = os.path.getsize(model)
            dps = ft_speed(model, testfile, work, multilabel, th)
        os.unlink(model)
        print("fasttext", path, "fold", k, round(scores[-1], 4), file=sys.stderr, flush=True)
    res = {"system": "fasttext", "config": "wordNgrams=2 epoch=%d lr=%g%s" % (e, lr, " ova th=%g" % th if multilabel else ""),
           "score": sum(scores) / nfolds, "folds": scores, "train_s": sum(times) / nfolds,
           "docs_per_sec": dps, "model_bytes": size,
           "grid_fold0": {"e=%d lr=%g th=%s" % g: v for g, v in tune.items()}}
    json.dump(res, open(out, "w"), indent=1)


def table(work):
    """Prints the side-by-side table from ours_*.tsv (topics.sh) and the peers' JSON files."""
    names = [("bbc", "BBC", "accuracy"), ("20ng", "20 Newsgroups", "accuracy"),
             ("reuters", "Reuters-21578", "micro-F1")]
    rows = []
    for ds, title, metric in names:
        res = {}
        for sysname in ["sklearn", "fasttext"]:
            fn = os.path.join(work, "%s_%s.json" % (sysname, ds))
            if os.path.exists(fn):
                res[sysname] = json.load(open(fn))
        fn = os.path.join(work, "ours_%s.tsv" % ds)
        if os.path.exists(fn):
            by = {}
            for line in open(fn):
                cfg, fold, acc, mf1, dps, train_s, size = line.rstrip("\n").split("\t")
                by.setdefault(cfg, []).append((int(fold), float(acc), float(mf1), float(dps), float(train_s), int(size)))
            key = 2 if metric == "micro-F1" else 1
            best = max(by, key=lambda c: sum(r[key] for r in by[c]) / len(by[c]) if len(by[c]) else 0)
            rs = sorted(by[best])
            res["ours"] = {"config": best, "score": sum(r[key] for r in rs) / len(rs), "folds": [r[key] for r in rs],
                           "train_s": sum(r[4] for r in rs) / len(rs), "docs_per_sec": rs[0][3],
                           "model_bytes": rs[0][5],
                           "grid": {c: sum(r[key] for r in v) / len(v) for c, v in by.items()}}
        rows.append((ds, title, metric, res))
    print("Topic classification, 5-fold CV on each train file (record i is in test fold i % 5)\n")
    hdr = "%-14s %-9s %-9s %9s %12s %12s %10s  %s" % ("dataset", "system", "metric", "score", "pred docs/s", "model bytes", "train s", "config")
    print(hdr)
    print("-" * len(hdr))
    for ds, title, metric, res in rows:
        for sysname in ["ours", "sklearn", "fasttext"]:
            r = res.get(sysname)
            if not r:
                print("%-14s %-9s (not run)" % (title, sysname))
                continue
            print("%-14s %-9s %-9s %9.4f %12.0f %12d %10.1f  %s" % (title, sysname, metric, r["score"], r["docs_per_sec"], r["model_bytes"], r["train_s"], r["config"]))
        if "ours" in res and "sklearn" in res and "fasttext" in res:
            o, sk, ft = res["ours"], res["sklearn"], res["fasttext"]
            best_peer = max(sk["score"], ft["score"])
            fast_peer = max(sk["docs_per_sec"], ft["docs_per_sec"])
            print("%-14s ratios: score ours-best_peer=%+.4f [%s]  speed ours/faster_peer=%.1fx [%s]  size ours/fastText=1/%.0f [%s]  ours<=16MB [%s]" % (
                "", o["score"] - best_peer, "ok" if o["score"] >= best_peer else "MISS",
                o["docs_per_sec"] / fast_peer, "ok" if o["docs_per_sec"] >= 2 * fast_peer else "MISS",
                ft["model_bytes"] / o["model_bytes"], "ok" if o["model_bytes"] * 10 <= ft["model_bytes"] else "MISS",
                "ok" if o["model_bytes"] <= 16 << 20 else "MISS"))
        print()
    print("per-fold scores:")
    for ds, title, metric, res in rows:
        for sysname, r in res.items():
            print("  %-14s %-9s %s" % (title, sysname, " ".join("%.4f" % x for x in r["folds"])))
    print("\ngrids (mean CV score per configuration; fastText: fold 0 only):")
    for ds, title, metric, res in rows:
        for sysname, r in res.items():
            g = r.get("grid") or r.get("grid_fold0") or {}
            print("  %-14s %-9s %s" % (title, sysname, "  ".join("%s: %.4f" % kv for kv in g.items())))


if __name__ == "__main__":
    if sys.argv[1:2] == ["table"]:
        table(sys.argv[2])
        sys.exit(0)
    cmd, path, nfolds, ml, out = sys.argv[1:6]
    if cmd == "sklearn":
        run_sklearn(path, int(nfolds), ml == "multi", out)
    elif cmd == "fasttext-speed":
        fasttext_speed(path, int(nfolds), ml == "multi", out, sys.argv[6])
    elif cmd == "fasttext":
        run_fasttext(path, int(nfolds), ml == "multi", out, sys.argv[6])
    else:
        sys.exit("usage: topics_peers.py sklearn|fasttext FILE NFOLDS single|multi OUT.json [WORKDIR]")
