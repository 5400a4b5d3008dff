"""In-domain ceiling on SRF's labelled Instagram followers: repeated stratified 5-fold CV,
several model families, threshold chosen inside the training folds (nested), F1 on held-out folds.
Keeps counts only: no username is printed or written.

    pip install scikit-learn
    python3 srf_ceiling.py labelled_1000_inclprivate.csv [--username-shape]

(the CSV: analysis/input/labelled_1000_inclprivate.csv of srfdata/2017-10-instagram-influencers)."""
import csv, math, sys
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier, ExtraTreesClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.metrics import roc_auc_score, f1_score, precision_recall_curve

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
y = np.array([r["rating"] == "TRUE" for r in rows], dtype=int)

def base(r):
    posts = float(r["Number.of.posts"]); fol = float(r["Number.of.people.they.follow"]); fer = float(r["Number.of.followers"])
    u = r["Username"]
    return [math.log1p(posts), math.log1p(fol), math.log1p(fer), math.log1p(fol) - math.log1p(fer),
            math.log1p(posts) - math.log1p(fer), float(r["has_profile_picture"] == "TRUE"),
            float(r["Private.account"] == "TRUE"), len(u), sum(c.isdigit() for c in u)]

def rich(r):
    u = r["Username"]
    letters = [c for c in u.lower() if c.isalpha()]
    vowels = sum(c in "aeiouy" for c in letters)
    runs = [len(x) for x in "".join(c if c.isdigit() else " " for c in u).split()]
    return base(r) + [u.count("_"), u.count("."), float(u[-1:].isdigit()), max(runs or [0]),
                      vowels / max(1, len(letters)), sum(c.isdigit() for c in u) / max(1, len(u))]

def models():
    return {
        "logistic regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)),
        "gradient boosting (hist)": lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0),
        "random forest": lambda: RandomForestClassifier(n_estimators=300, min_samples_leaf=3, random_state=0, n_jobs=1),
        "extra trees": lambda: ExtraTreesClassifier(n_estimators=300, min_samples_leaf=3, random_state=0, n_jobs=1),
        "SVM (RBF)": lambda: make_pipeline(StandardScaler(), SVC(C=1.0, probability=True, random_state=0)),
        "k-nearest neighbours (k=25)": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=25, weights="distance")),
        "Gaussian naive Bayes": lambda: GaussianNB(),
    }

def best_threshold(scores, labels):
    p, r, t = precision_recall_curve(labels, scores)
    f = 2 * p * r / np.maximum(p + r, 1e-12)
    i = int(np.argmax(f[:-1]))
    return t[i], f[i]

REPEATS = 5
def evaluate(X, make):
    aucs, f1s, oracle = [], [], []
    for rep in range(REPEATS):
        outer = StratifiedKFold(5, shuffle=True, random_state=rep)
        pooled = np.zeros(len(y)); pred = np.zeros(len(y), dtype=int)
        for tr, te in outer.split(X, y):
            # the threshold: best F1 on out-of-fold predictions inside the training folds
            inner = cross_val_predict(make(), X[tr], y[tr], cv=StratifiedKFold(3, shuffle=True, random_state=100 + rep), method="predict_proba")[:, 1]
            t, _ = best_threshold(inner, y[tr])
            m = make().fit(X[tr], y[tr])
            s = m.predict_proba(X[te])[:, 1]
            pooled[te] = s; pred[te] = s >= t
        aucs.append(roc_auc_score(y, pooled)); f1s.append(f1_score(y, pred))
        oracle.append(best_threshold(pooled, y)[1])
    return np.mean(aucs), np.std(aucs), np.mean(f1s), np.std(f1s), np.mean(oracle), np.max(oracle)

SETS = {False: ("counts, picture, privacy, username length and digits (the converter's fields)", base),
        True: ("the same plus username shape (underscores, dots, trailing digit, longest digit run, vowel share, digit share)", rich)}
if __name__ == "__main__":
    name, feats = SETS["--username-shape" in sys.argv]
    X = np.array([feats(r) for r in rows])
    print(f"\n{name}: {len(y)} accounts, {y.sum()} fake; {REPEATS} x stratified 5-fold CV, threshold by 3-fold CV inside each training split\n")
    print("| model | ROC AUC (mean ± sd) | F1 at the nested CV threshold (mean ± sd) | F1 at the best threshold on the held-out scores (optimistic; mean / max over repeats) |")
    print("|---|---:|---:|---:|")
    for mname, make in models().items():
        a, sa, f, sf, o, om = evaluate(X, make)
        print(f"| {mname} | {a:.3f} ± {sa:.3f} | {f:.3f} ± {sf:.3f} | {o:.3f} / {om:.3f} |", flush=True)
