"""Creating a programme under an id whose history has begun is refused by its rule, not
answered as a race to retry (no retry could succeed): the service decides the creation
once more on the stored state, which the rule refuses."""

from __future__ import annotations

from uuid import uuid4

import pytest

from mentoring_core import MentoringService, Rule, RuleViolation


def test_a_programme_id_in_use_is_a_rule_broken(store_url: str) -> None:
    chosen = uuid4()
    with MentoringService(store_url) as service:
        service.create_programme("First", "Org", actor="coord", programme_id=chosen)
        with pytest.raises(RuleViolation) as refused:
            service.create_programme("Second", "Org", actor="coord", programme_id=chosen)
        assert refused.value.rule is Rule.PROGRAMME_ALREADY_CREATED
        assert str(chosen) in str(refused.value)
        assert service.programme(chosen).name == "First"
        assert len(service.history(chosen)) == 1
