"""Several model families trained on InstaFake only (threshold: best F1 on InstaFake's own 5-fold
out-of-fold predictions), each scored once on SRF's labelled followers. Nothing is chosen on SRF.

    python3 srf_transfer.py labelled_1000_inclprivate.csv ../shared/data/instafake"""
import json, math, sys
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.metrics import roc_auc_score, f1_score, precision_score, recall_score
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srf_ceiling import rows, y, base, models, best_threshold

def feats(posts, fol, fer, pic, priv, ulen, dig):
    lp, lg, lf = math.log1p(posts), math.log1p(fol), math.log1p(fer)
    return [lp, lg, lf, lg - lf, lp - lf, pic, priv, ulen, dig]

insta = json.load(open(os.path.join(sys.argv[2], "fakeAccountData.json"))) + json.load(open(os.path.join(sys.argv[2], "realAccountData.json")))
Xi = np.array([feats(r["userMediaCount"], r["userFollowingCount"], r["userFollowerCount"], r["userHasProfilPic"], r["userIsPrivate"], r["usernameLength"], r["usernameDigitCount"]) for r in insta], dtype=float)
yi = np.array([r["isFake"] for r in insta], dtype=int)
Xs = np.array([base(r) for r in rows])
print(f"trained on InstaFake ({len(yi)} accounts, {yi.sum()} fake), scored on SRF ({len(y)}, {y.sum()} fake)\n")
print("| model (trained on InstaFake only) | InstaFake 5-fold CV ROC AUC | threshold (best CV F1 on InstaFake) | SRF ROC AUC | SRF precision | SRF recall | SRF F1 |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, make in models().items():
    oof = cross_val_predict(make(), Xi, yi, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")[:, 1]
    t, _ = best_threshold(oof, yi)
    s = make().fit(Xi, yi).predict_proba(Xs)[:, 1]
    pred = (s >= t).astype(int)
    print(f"| {name} | {roc_auc_score(yi, oof):.3f} | {t:.3f} | {roc_auc_score(y, s):.3f} | {precision_score(y, pred, zero_division=0):.3f} | {recall_score(y, pred):.3f} | {f1_score(y, pred):.3f} |", flush=True)
