"""The lesson 22 quiz (``QUIZ`` of pmkt_lessons.exercises.lesson_22): right answers pass, the others do not."""

import pytest

from pmkt_lessons.exercises import lesson_22


@pytest.mark.parametrize("question", lesson_22.QUIZ, ids=lambda q: q.name)
def test_quiz_reference_passes_and_other_options_fail(question, capsys):
    assert question.kind == "concept"
    assert question.evaluate(question.reference()).correct
    for wrong in question.wrong_answers():
        feedback = question.evaluate(wrong)
        assert feedback.status == "wrong" and question.explanation.strip() in feedback.message
    question.check(...)
    assert "not attempted yet" in capsys.readouterr().out


def test_quiz_objects_are_the_notebook_names():
    assert [lesson_22.q1, lesson_22.q2, lesson_22.q3, lesson_22.q4] == lesson_22.QUIZ
    assert len({q.reference() for q in lesson_22.QUIZ}) > 1  # not always the same letter
