"""The one owner of what comes after an answer, for study sessions, deck quizzes and drills alike.

Screens post what happened (`AttemptGraded`, `TakeBackAsked`, `LeaveAsked`, `TimeUp`,
`SessionClosed`); the app hands each to the flow, which records, shows the verdict, and picks the
next screen. No screen records an answer or switches to the next question itself. A deck quiz's
place is kept in the store (`study.paused`) after every answer, so it resumes after a restart.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.content import Content

from jaxquiz.errors import JaxquizError, StoreError

# The screens of a session, and sessions themselves (the deck models), load when one starts, not
# with the app: the deck list shows sooner.
if TYPE_CHECKING:
    from jaxquiz.study import paused
    from jaxquiz.study.drill_run import DrillRun
    from jaxquiz.study.scheduler import Rating
    from jaxquiz.study.session import AnswerMode, Attempt, Session
    from jaxquiz.tui.app import JaxQuizApp
    from jaxquiz.tui.screens.question import QuestionScreen
    from jaxquiz.tui.screens.verdict import VerdictChoice


class Flow:
    """The session or drill being run."""

    def __init__(self, app: JaxQuizApp) -> None:
        self.app = app
        self.services = app.services
        self.session: Session | None = None
        self.drill: DrillRun | None = None
        self.mode: AnswerMode = "recall"  # the home screen's setting
        self._ending = False  # a drill ends when the verdict in flight comes
        # The verdict on screen, and what Enter would record for it (None: nothing, a skip).
        self._on_verdict: tuple[Attempt, Rating | None] | None = None

    def toggle_mode(self) -> AnswerMode:
        """Recall first, or the options at once: the setting of the home screen."""
        from jaxquiz.study.session import ANSWER_MODES

        self.mode = ANSWER_MODES[(ANSWER_MODES.index(self.mode) + 1) % len(ANSWER_MODES)]
        return self.mode

    # -- starting ------------------------------------------------------------------------------

    def start_session(self, session: Session) -> None:
        """Ask the session's questions; a deck quiz left earlier may resume where it was."""
        self._warm_devices(session)
        from jaxquiz.tui.screens.ask import AskScreen

        left = self._left_earlier(session)
        if left is not None and left.session is not None:
            resumed = left.session
            choices = [("r", "resume", "resume"), ("s", "restart", "start over")]
            self.app.push_screen(
                AskScreen(resumed.title, left.describe(), choices),
                lambda choice: self._resume_or_restart(choice, resumed, session),
            )
            return
        self._begin(session)

    def _left_earlier(self, fresh: Session) -> paused.Left | None:
        """The quiz of this deck left before its end (in this run or an earlier one), if any; one
        that cannot be resumed says why."""
        from jaxquiz.study import paused

        store = self.services.store
        try:
            left = paused.load(fresh, store)
        except StoreError as error:
            self.app.notify(error.message, title="Could not look for a quiz to resume", severity="error")
            return None
        if left is not None and left.session is None:
            self.app.notify(left.why, title=fresh.title, timeout=8)
        return left

    def _resume_or_restart(self, choice: str | None, left: Session, fresh: Session) -> None:
        if choice is None:
            return  # cancelled: the quiz stays where it was left
        if choice == "restart":
            from jaxquiz.study import paused

            try:
                paused.forget(fresh, self.services.store)
            except StoreError as error:
                self.app.notify(error.message, title="Could not forget the old quiz", severity="error")
        self._begin(left if choice == "resume" else fresh)

    def _begin(self, session: Session) -> None:
        item = session.current()
        if item is None:
            self.app.notify("Nothing to ask: no questions due or new here.", title=session.title)
            return
        self.session = session
        self.app.push_screen(self._question_screen(session))

    def start_drill(self, run: DrillRun) -> None:
        from jaxquiz.tui.screens.drill import DrillScreen

        self._warm_devices(run.session)
        item = run.current()
        assert item is not None
        self.drill, self._ending = run, False
        self.app.push_screen(DrillScreen(self.services, run, item, mode=run.settings.answer_mode))

    def _warm_devices(self, session: Session) -> None:
        """Start the workers with the device counts these questions need (a sharding deck's 8
        devices) while the learner reads the first one; a few milliseconds: importing jax
        happens in the children."""
        counts = {e.question.devices for e in session.entries} - {None}
        if counts:
            self.services.engine.warm(counts)

    def _question_screen(self, session: Session, answer: str = "") -> QuestionScreen:
        """The current item's question, with `answer` in the field (one taken back)."""
        from jaxquiz.tui.screens.question import QuestionScreen

        item = session.current()
        assert item is not None
        return QuestionScreen(
            self.services, session, item, mode=self.mode, can_take_back=session.can_take_back, answer=answer
        )

    # -- answers -------------------------------------------------------------------------------

    def graded(self, attempt: Attempt, rating: Rating | None) -> None:
        """An answer was graded: a drill records it at once; a session shows the verdict and
        records the rating chosen there (a card comes rated)."""
        from jaxquiz.study.session import records
        from jaxquiz.tui.screens.verdict import VerdictScreen

        if self.drill is not None:
            self._drill_answered(attempt)
            return
        if self.session is None:
            return
        if rating is not None or attempt.verdict is None:
            self._record(attempt, rating)
            return
        question = self.app.screen
        proposed = attempt.propose()
        screen = VerdictScreen(
            self.services,
            self.session,
            attempt.item,
            attempt.answer,
            attempt.verdict,
            proposed,
            attempt.response_ms,
            best=attempt.best(),
        )
        self._on_verdict = (attempt, proposed if records(attempt.verdict) else None)
        self.app.push_screen(screen, partial(self._rated, attempt, question))

    def _rated(self, attempt: Attempt, question: object, choice: VerdictChoice) -> None:
        from jaxquiz.tui.screens.question import QuestionScreen

        self._on_verdict = None
        if choice == "back":
            assert isinstance(question, QuestionScreen)
            question.take_back_answer()  # nothing recorded: the learner answers again
            return
        self._record(attempt, choice)

    def _record(self, attempt: Attempt, rating: Rating | None) -> None:
        self._save(attempt, rating)
        self._next()
        assert self.session is not None
        self._keep_place(self.session)  # after the next question is drawn: it resumes with that draw

    def _save(self, attempt: Attempt, rating: Rating | None) -> None:
        session = self.session
        assert session is not None
        services = self.services
        try:
            session.answer(attempt, rating, services.store, services.scheduler, services.now())
        except StoreError as error:
            self.app.notify(error.message, title="Progress not saved", severity="error", timeout=20)
            session.answer(attempt, None, services.store, services.scheduler, services.now())
        self._forget(attempt)

    def _keep_place(self, session: Session) -> None:
        """Save where a deck quiz is (forgotten once it is over): it resumes even after a crash."""
        from jaxquiz.study import paused

        try:
            paused.save(session, self.services.store, self.services.now())
        except StoreError as error:
            self.app.notify(error.message, title="Your place in the quiz was not saved", severity="error")

    def _next(self) -> None:
        from jaxquiz.tui.screens.summary import SummaryScreen

        session = self.session
        assert session is not None
        if session.current() is None:
            self.app.switch_screen(SummaryScreen(self.services, session))
        else:
            self.app.switch_screen(self._question_screen(session))

    def _forget(self, attempt: Attempt) -> None:
        grader = self.services.grader
        self.app.run_worker(
            partial(grader.forget, attempt.item), thread=True, group="forget", exit_on_error=False
        )

    def take_back(self) -> None:
        """Undo the last answer: out of the store and the FSRS card, and asked again."""
        if self.drill is not None:
            self._drill_take_back()
            return
        session = self.session
        if session is None or not session.can_take_back:
            return
        answer = session.undo[-1].answer
        try:
            item = session.take_back(self.services.store)
        except StoreError as error:
            self.app.notify(error.message, title="Could not undo", severity="error", timeout=20)
            return
        item.lesson = False  # read already, before the first answer
        self._keep_place(session)
        self.app.switch_screen(self._question_screen(session, answer))
        self.app.notify(f"Took back your answer to {item.deck.id}/{item.question.id}.", timeout=4)

    # -- leaving -------------------------------------------------------------------------------

    def leave(self) -> None:
        """Escape: ask first, then show what was answered; a deck quiz can be resumed later."""
        from jaxquiz.tui.screens.ask import AskScreen

        if self.drill is not None:
            text = "The drill is saved, marked interrupted; the summary shows what you answered."
            title = "End the drill?"
        else:
            assert self.session is not None
            right, graded = self.session.score()
            answered = len(self.session.results)
            unscored = answered - graded  # cards (self-graded) and questions that could not be run
            parts = [f"{right} of {graded} right"] if graded else []
            score = ", ".join([*parts, f"{unscored} not scored"] if unscored else parts)
            text = "Nothing answered yet."
            if answered:
                text = f"Answered so far: {answered} ({score}), all saved."
            if self._on_verdict is not None:
                text = _saved_on_leaving(self._on_verdict[1]) + (
                    f" Answered before it: {answered} ({score})." if answered else ""
                )
            if self.session.resume_key and (answered or self._on_verdict is not None):
                text += " Open this quiz again, now or another day, to resume here."
            title = "Leave?"
        self.app.push_screen(
            AskScreen(title, text, [("y", "yes", "leave"), ("n", "no", "stay")]),
            lambda choice: self._left() if choice == "yes" else None,
        )

    def _left(self) -> None:
        from jaxquiz.tui.screens.summary import SummaryScreen

        if self.drill is not None:
            self.end_drill()
            return
        session = self.session
        assert session is not None
        if self._on_verdict is not None:  # left from a verdict: its answer counts, as Enter would
            attempt, rating = self._on_verdict
            self._on_verdict = None
            self.app.pop_screen()  # the verdict, without its callback: nothing is rated twice
            self._save(attempt, rating)
        self._keep_place(session)  # with the draws shown since the last answer
        if session.results:
            self.app.switch_screen(SummaryScreen(self.services, session))
        else:
            self.end()

    def close(self) -> None:
        """The app is closing: a drill is stored as interrupted, a deck quiz keeps its place.
        Errors are dropped: there is nowhere left to show them."""
        drill, session, services = self.drill, self.session, self.services
        try:
            if drill is not None and drill.summary is None:
                drill.finish()
            elif drill is None and session is not None:
                from jaxquiz.study import paused

                if self._on_verdict is not None:  # the answer on screen counts, as Enter would
                    attempt, rating = self._on_verdict
                    session.answer(attempt, rating, services.store, services.scheduler, services.now())
                paused.save(session, services.store, services.now())
        except JaxquizError:
            pass

    def end(self) -> None:
        """Back to the home screen, letting the engine drop the truths prepared for the session."""
        self.session = None
        self.drill = None
        app = self.app
        while len(app.screen_stack) > 1:
            app.pop_screen()
        grader = self.services.grader
        app.run_worker(grader.forget, thread=True, group="forget", exit_on_error=False)
        app.home.refresh_decks()

    # -- drills --------------------------------------------------------------------------------

    def _drill_answered(self, attempt: Attempt) -> None:
        from jaxquiz.tui.screens.drill import DrillScreen, flash_for

        run = self.drill
        assert run is not None and attempt.verdict is not None
        item, verdict = attempt.item, attempt.verdict
        flash = flash_for(item, verdict, interview=run.settings.interview)
        try:
            run.record(
                item,
                attempt.answer,
                verdict,
                attempt.response_ms,
                looked=attempt.looked,
                picked=attempt.picked,
            )
        except StoreError as error:
            self.app.notify(error.message, title="Progress not saved", severity="error", timeout=20)
        self._forget(attempt)
        following = None if self._ending else run.current()
        if following is None:
            self._finish_drill()
        else:
            mode = run.settings.answer_mode
            self.app.switch_screen(DrillScreen(self.services, run, following, flash, mode=mode))

    def _drill_take_back(self) -> None:
        """Undo in a drill: the answer leaves the score and the store, and its question is asked
        again; the clock runs on. An interview has no undo, and says so."""
        from jaxquiz.tui.screens.drill import DrillScreen, Flash

        run = self.drill
        assert run is not None
        if run.settings.interview:
            self.app.notify("No undo in an interview drill: answers are final, as in an interview.")
            return
        if not run.can_take_back:
            return
        try:
            item = run.take_back()
        except StoreError as error:
            self.app.notify(error.message, title="Could not undo", severity="error", timeout=20)
            return
        where = f"{item.deck.id}/{item.question.id}"
        flash = Flash(Content(f"↶  Took back your answer to {where}: the clock kept running"), "-other")
        mode = run.settings.answer_mode
        self.app.switch_screen(DrillScreen(self.services, run, item, flash, mode=mode))

    def end_drill(self) -> None:
        """Stop the drill, store it and show the summary (an answer being graded still counts)."""
        from jaxquiz.tui.screens.drill import DrillScreen

        screen = self.app.screen
        if isinstance(screen, DrillScreen) and screen.grading:
            self._ending = True  # the verdict in flight ends the drill when it comes
            return
        self._finish_drill()

    def _finish_drill(self) -> None:
        from jaxquiz.tui.screens.drill_summary import DrillSummaryScreen

        run = self.drill
        assert run is not None
        try:
            run.finish()
        except StoreError as error:
            self.app.notify(error.message, title="Drill not saved", severity="error", timeout=20)
        self.app.switch_screen(DrillSummaryScreen(self.services, run))


def _saved_on_leaving(rating: Rating | None) -> str:
    if rating is None:
        return "This answer is not recorded: the question is broken."
    return f"Leaving saves this answer as {rating.label}, the rating proposed."
