"""`make bench`: the service layer's hot paths measured beside same-run baselines."""
