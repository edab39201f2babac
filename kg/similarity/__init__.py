"""Phenotype similarity: information content, term and set similarity, disease ranking.

``index`` prepares the HPO and the annotations as arrays (cached by input sha256);
``terms`` holds the term measures, ``sets`` the set combinations. Scores of the measures
pyhpo 4.0 and hpo3 1.5 share equal theirs (see tests/test_similarity_peers.py).
"""
