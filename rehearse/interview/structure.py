"""What each turn of a mock interview is, once the speakers are known.

The interviewer's turns are read in order. Before the first main question everything is small
talk; a turn with closing wording ("Do you have any questions for me?") starts the closing,
where nothing is an answer and the candidate's own questions are kept apart. In between, a
turn is a main question when it asks for a new story (`new_story` wording outweighs
`follow-up` wording: "a time", "an example", "describe", "have you ever", "next question") or
when it is a question of some length with no follow-up wording at all ("How have you improved
the experience for your users?"), and otherwise, when it asks something (or says something with
enough follow-up wording: pronouns pointing back at the story, a challenge such as "wasn't
that...", a past-tense question about the story's people and things, an echo of the candidate's
last words), a follow-up inside the
current answer; the candidate's reply to a follow-up belongs to the same answer. Before the first
main question, a question is a main question by its length or its reply only when the candidate
then talks for a while (a greeting answered in a few words is small talk). Chat ("Do you need a glass of water?") and a
transition ("Great, thanks. Next one.") are small talk; a remark without a question
("Interesting.") leaves the answer going on. Word lists and weights: rubric [structure].
"""

from __future__ import annotations

import itertools
import re

from rehearse.interview.turns import Exchange, Unit, _runs


def _score(text: str, patterns: list[dict]) -> tuple[float, list[str]]:
    hits = [p for p in patterns if re.search(p["pattern"], text)]
    return sum(p["weight"] for p in hits), [re.search(p["pattern"], text).group(0) for p in hits]


def _followup(text: str, cfg: dict) -> tuple[float, list[str]]:
    """The turn's follow-up wording, once "that" opening a relative clause ("a tool that nobody
    asked for") is set aside."""
    return _score(re.sub(cfg["relative_that"], r"\1", text), cfg["followup"])


def _followup_beyond_connective(text: str, cfg: dict) -> float:
    """The turn's follow-up wording once a leading "so", "and", "okay" ... is set aside."""
    return _followup(re.sub(cfg["lead_connective"], "", text), cfg)[0]


def _text(run: list[Unit]) -> str:
    return " ".join(u.text for u in run).lower().replace("\u2019", "'")


def _asks(run: list[Unit], min_score: float) -> bool:
    return any(u.asks(min_score) for u in run)


def structure(units: list[Unit], cfg: dict, min_score: float, capture: list | None = None,
              use_model: bool = True) -> list[Exchange]:
    """Set every unit's role and return the main questions with their answers and follow-ups.
    With a turn model in the rubric (`model`), whether a turn is a main question is the model's
    call (rehearse/interview/turn_model.py); `capture` collects each judged turn and its features."""
    from rehearse.interview import turn_model

    path = turn_model.model_path(cfg) if use_model else None
    model = turn_model.load(path) if path else None
    runs = _runs(units)
    exchanges: list[Exchange] = []
    state = "start"  # start (small talk), answer, between (after a transition), closing
    reply: list[Unit] | None = None  # the follow-up reply being collected
    for k, run in enumerate(runs):
        if run[0].speaker == "candidate":
            if state in ("start", "between"):
                _mark(run, "smalltalk", "candidate before a question" if state == "start"
                      else "candidate after a transition, before the next question")
            elif state == "closing":
                answered = _answered(run, runs[k + 1] if k + 1 < len(runs) else [], cfg)
                for i, u in enumerate(run):
                    asks = u.asks(min_score) or bool(re.search(cfg["candidate_asks"], _text([u])))
                    why = "the candidate asks, in the closing"
                    if not asks and answered and i == len(run) - 1 and not any(v.role == "candidate_question" for v in run):
                        # Whisper can lose a question's opening words ("[Is] the role mostly residential
                        # or a mix."): what the interviewer then answers at some length was a question
                        asks, why = True, "the interviewer answers it, in the closing"
                    _mark([u], "candidate_question" if asks else "closing", why if asks else "in the closing")
            else:
                _answer_goes_on(run, exchanges, reply, "")
            continue
        text = _text(run)
        new, new_hits = _score(text, cfg["new_story"])
        # follow-up wording after the turn's own request for a story points at that request ("Think
        # of a volunteer you had to let go. Take me through it."), not back at the answer
        story_at = next((i for i, u in enumerate(run) if _score(_text([u]), cfg["new_story"])[0] > 0), len(run) - 1)
        asked = _text(run[:story_at + 1])
        follow, follow_hits = _followup(asked, cfg)
        echo = state == "answer" and echoes(run, runs[k - 1] if k else [], cfg)
        if echo:
            follow += cfg["echo_weight"]
            follow_hits.append("echoes the candidate's words")
        asks = _asks(run, min_score)
        worded = any(c.startswith("wording:") for u in run for c in u.cues)  # opens like a question ("Did you ...")
        # chat before the turn's question ("Can you hear me? ... Let's begin. Think back to ... What
        # did you do?") is its lead-in: only the part from its first question on can make it chat
        asking = next((i for i, u in enumerate(run) if u.asks(min_score)), 0)
        chat = re.search(cfg["chat"], _text(run[asking:]))
        # the topic words the answer so far used (for chat picking up the story, and for `shared` below)
        answer_topic = _topic(" ".join(u.text for u in exchanges[-1].answer), cfg) if state == "answer" else set()
        chat_topic = _topic(chat.group(0), cfg) if chat and state == "answer" else set()
        if chat_topic and chat_topic <= answer_topic:
            # chat's words that the answer itself used ("The coffee." after "... and I had the bar send
            # coffee down") pick up the story: a terse follow-up, not chat
            chat = None
        # closing wording before the first main question is the interviewer describing the format
        # ("... and some time at the end for anything you want to ask"), not the closing
        # (the wording may fill a sentence of its own: "Question." before the "Yes" Whisper gave the
        # same turn)
        closes = re.search(cfg["closing"], text) or next(
            (m for u in run if (m := re.search(cfg["closing"], _text([u])))), None)
        if state == "closing" or (exchanges and closes and not _story_to_come(runs, k, cfg)):
            why = "after the closing" if state == "closing" else f"closing wording: {closes.group(0)!r}"
            _mark(run, "closing", why)
            state, reply = "closing", None
            continue
        declined = _declined(runs, k, cfg) if state == "answer" and new < cfg["min_main"] else None
        if declined is not None and not _story_asked_later(runs, k, cfg):
            # the candidate says there is nothing to ask ("No, I don't think so. You've covered
            # everything else."): this turn invited questions, however it was worded or heard ("Done.
            # Questions?" written as "Don question.")
            _mark(run, "closing", f"the candidate then declines to ask ({declined!r})")
            state, reply = "closing", None
            continue
        main = new >= cfg["min_main"] and new > follow
        why_main = f"new-story wording {new_hits} ({new:g}) over follow-up wording {follow_hits} ({follow:g})"
        n_words = sum(len(u.words) for u in run)
        after = _talk_after(runs, k, cfg)  # the candidate's talk until the interviewer's next turn
        # inside an answer, the turn's topic words the answer already used ("How many deals did you
        # drop from the list?" after a story about a list of deals): it asks about that story
        topic = _topic(text, cfg)
        shared = sorted(topic & answer_topic) if state == "answer" else []
        story = _story_after(runs, k, cfg)  # the candidate's talk after the turn, short questions inside it and all
        nxt = runs[k + 1] if k + 1 < len(runs) and runs[k + 1][0].speaker == "candidate" else []  # the reply
        x, same_story = None, None  # the turn model's features; its "answer and reply read as one story"
        if model is not None or capture is not None:
            answer_so_far = exchanges[-1].answer if state == "answer" else []
            opening = turn_model.opening_labels(nxt)
            ending = turn_model.closing_labels(answer_so_far)
            x = [new, follow, float(new >= cfg["min_main"] and new > follow), float(asks), float(worded),
                 float(bool(chat)), float(bool(re.search(cfg["transition"], text))), turn_model.log_s(n_words),
                 turn_model.log_s(after), turn_model.log_s(story), float(bool(shared)), float(not topic),
                 float(state == "start"), float(state == "between"),
                 turn_model.log_s(_talk(answer_so_far, cfg)),
                 opening.get("situation", 0.0), opening.get("action", 0.0),
                 turn_model.new_words_share(nxt, answer_so_far, lambda t: _topic(t, cfg)),
                 float(echo),
                 _followup_beyond_connective(asked, cfg), ending.get("result", 0.0)]
            whole = []  # the candidate's whole reply: until the interviewer's next turn of some length
            for later in runs[k + 1:]:
                if later[0].speaker == "interviewer" and sum(len(u.words) for u in later) >= cfg["min_main_words"]:
                    break
                whole.extend(u for u in later if u.speaker == "candidate")
            x += turn_model.context(whole, answer_so_far, lambda t: sorted(_topic(t, cfg)))
            left = _talk([u for r in runs[k + 1:] for u in r if u.speaker == "candidate"], cfg)
            x.append(turn_model.log_s(left))
            # the reply sets a new scene ("In my first job ...") or answers what was asked ("Yes, ...")
            x += [turn_model.scene_in_time(nxt, cfg["scene_cue"]),
                  float(bool(nxt) and bool(re.search(cfg["direct_answer"], nxt[0].text.lower()))),
                  turn_model.one_story(whole, answer_so_far)]
            same_story = x[-1]
            if capture is not None:
                capture.append((run, x))
        aside, note = None, ""
        # chat inside an answer after which the candidate goes on with the same story at length
        # ("Sorry, you cut out for a second there. Did you say no dryer at all?" - 25 s more of the
        # grooming story) is a follow-up: the answer goes on
        story_goes_on = state == "answer" and story >= cfg["long_reply_s"] and (same_story is None or same_story > 0)
        # a turn that cuts into the answer to ask the candidate about it ("Sorry, can I stop you
        # there? When you say we, ...", "Hang on, your own supervisor ...") with no request for a new
        # story is a follow-up on the story being told, however long the candidate goes on with it
        # afterwards ("Hang on, someone's knocking on my window." asks nothing of the candidate)
        cut_in = re.match(cfg["interrupts"], text) if (
            state == "answer" and new < cfg["min_main"] and not chat and n_words <= cfg["interrupt_max_words"]
            and (asks or re.search(cfg["listener"], text))) else None
        # ... and so is one that reflects on the story, asking nothing ("That must have been a tricky
        # phone call to make.", "Sounds like the band trusted you more after that.")
        if cut_in is None and state == "answer" and new < cfg["min_main"] and not chat \
                and n_words <= cfg["interrupt_max_words"]:
            cut_in = re.search(cfg["reflects"], text)
        # ... and so is one asking the reason for what was told, naming no new story
        if cut_in is None and state == "answer" and new <= cfg["min_main"] and not chat \
                and n_words <= cfg["interrupt_max_words"]:
            cut_in = re.match(cfg["reason_request"], text)
        if model is not None:
            p = turn_model.probability(x, model["main"])
            main = p >= model["main"]["threshold"] and cut_in is None
            why_main = f"the turn model gives {p:.2f} ({', '.join(turn_model.reasons(x, model['main']))})"
            note = f"; the turn model gives it {p:.2f} as a main question"
            if cut_in is not None:
                note += f"; it cuts into the answer or reflects on it ({cut_in.group(0).strip(' .!?')!r})"
            if not main and state == "answer" and cut_in is None:
                q = turn_model.probability(x, model["aside"])
                if q >= model["aside"]["threshold"]:
                    aside = f"the turn model takes it off the story: {q:.2f} ({', '.join(turn_model.reasons(x, model['aside']))})"
                    closing_later = _closing_after_reply(runs, k, cfg)
                    # the reply runs on past a short interjection heard as the interviewer's ("While
                    # the line was stopped, I moved ..." / "So, nobody was sitting there." / "standing
                    # around waiting for me. We actually got ...")
                    replied = sum(len(u.words) for u in whole)
                    if replied > cfg["aside_reply_max_words"] and (same_story is None or same_story > 0):
                        # the candidate answers it with more of the same story than anyone says to
                        # small talk ("I'm curious what the owner said about the frame swapping." - "He
                        # wasn't pleased at first, because ..., but after he saw the losses, he made it a
                        # rule for the whole business."): a follow-up said as a remark
                        aside, note = None, note + f"; answered with {replied} words of the same story"
                    elif closing_later is not None:
                        # the closing comes later in its own words, after the candidate has gone on
                        # talking: this turn was a remark on the last story that drew more of it ("That's
                        # a lot of effort for something that wasn't your problem." - "Maybe, but ...")
                        aside, note = None, note + f"; the closing comes later ({closing_later!r}) after more of the story"
                    elif left < cfg["closing_talk_left_s"] and not _story_asked_later(runs, k, cfg) \
                            and _request_before_closing(runs, k, cfg, min_score) is None:
                        # off the story with little of the candidate's talk left in the recording and no
                        # question for a story to come: the end of the interview, however it was worded
                        # ("I've got ten minutes for yours.")
                        _mark(run, "closing", f"{aside}, with {left:.0f} s of the candidate's talk left")
                        state, reply = "closing", None
                        continue
        # a new main question comes after an answer: in the first `early_answer_s` of the candidate's
        # talk after a request for a story, a turn with no new-story wording is about the story just
        # begun ("Did you tell your manager?"); with one voice, a statement there that only the speaker
        # wording model gave the interviewer, with no follow-up wording, is the story itself ("An A320
        # came in 25 minutes late ...", "Strip it down, clean it ...")
        so_far = _talk(exchanges[-1].answer, cfg) if state == "answer" else 0.0
        early = (state == "answer" and new < cfg["min_main"] and cut_in is None and so_far < cfg["early_answer_s"]
                 and _score(_text(exchanges[-1].question), cfg["new_story"])[0] >= cfg["min_main"])
        if early and main:
            main, note = False, note + f"; too early in the answer for a new question ({so_far:.0f} s of talk)"
        # ... and later in the answer, such a statement naming no story ("Made on a line shared with
        # hazelnuts.", the rest of the candidate's sentence) starts no new answer, whatever the turn
        # model makes of it: a main question asks, or asks for a story, if only by naming its kind
        # ("A claimant who wouldn't engage.")
        statement = all(u.guessed for u in run) and not asks and not worded and follow == 0 and not aside
        if state == "answer" and main and statement and new < cfg["min_main"] and not re.match(cfg["names_a_kind"], text):
            main, early, note = False, True, note + "; a statement naming no story starts no new answer"
        if early and not main and statement:
            for u in run:
                u.speaker = "candidate"
                u.why.append("speaker: the candidate's after all: a statement " + (
                    "this early in the answer is the story" if so_far < cfg["early_answer_s"] else "naming no story is the story"))
            _answer_goes_on(run, exchanges, reply, note)
            continue
        if main and asks and chat and new < cfg["chat_over_new"] and story < cfg["long_reply_s"]:
            # a chat question answered in a few words ("Would you like a coffee before we carry on?" - "I'm fine,
            # thank you, I had one in the lobby.") is small talk, wherever it comes
            main, note = False, note + "; chat answered in a few words"
        if main and state == "start" and asks and new == 0 and story < cfg["story_reply_s"] \
                and re.search(cfg["chat"], _text(run[-1:])):
            # before the first question, a turn that ends in chat and has no request for a story in
            # it ("Did you find us all right?") is small talk however chatty the reply ("Yeah, I
            # parked by the old toll house ...", 15 s): the first answer comes after a request for
            # a story ("Okay, shall we begin? What happened the last time ..." ends in the question)
            main, note = False, note + "; a chat question before the first question"
        if main and state == "start" and not asks and not worded and after < cfg["chat_reply_s"] \
                and nxt and (chat or re.search(cfg["chat"], _text(nxt))):
            # before the first question, a remark the candidate answers with a few words of chat
            # ("There's water on the side." - "Morning. Thanks for having me."), or chat answered
            # with a few words ("Morning. Have a seat." - "Good morning. It's a lovely building."),
            # is small talk
            main, note = False, note + "; a remark answered with chat"
        if model is None and not main and asks and not chat and follow == 0 and n_words >= cfg["min_main_words"] \
                and (state != "start" or after >= cfg["long_reply_s"]) and not shared:
            # before the first main question, a long question answered in a few words is small talk
            # ("Is the connection all right? You sound a little far away.")
            main, why_main = True, f"a question of {n_words} words with no follow-up wording"
        if model is None and not main and new > 0 and state in ("answer", "between") and not chat \
                and (asks or n_words >= cfg["min_main_words"]) \
                and _followup_beyond_connective(text, cfg) == 0 \
                and not shared and topic and story >= cfg["long_reply_s"]:
            # a turn with some new-story wording, on a topic the answer never touched, with no follow-up
            # wording but a leading "so" or "and" ("And one more. Tell me about feedback you got that was
            # hard to hear."), that the candidate answers with a whole story
            main, why_main = True, (f"new-story wording {new_hits} on a topic the answer never touched, followed by "
                                    f"{story:.0f} s of the candidate's talk, a new story")
        if model is None and not main and state == "start" and asks and new >= cfg["min_main"] and story >= cfg["long_reply_s"]:
            # before the first question there is no story to follow up: new-story wording with a story
            # after it is the first question, whatever follow-up wording it has ("Could you describe an
            # experiment that failed? What happened next?")
            main, why_main = True, f"new-story wording {new_hits} followed by {story:.0f} s of the candidate's talk"
        if model is None and main and state == "start" and chat and new < cfg["chat_over_new"]:
            # before the first question, chat with a weak new-story word in it is still chat
            # ("Sorry, give me one second. ... Hi, how are you?")
            main = False
        if model is None and main and state == "start" and not asks and after < cfg["short_reply_s"]:
            # before the first question, a statement with new-story wording that the candidate
            # answers in a few words is the interviewer describing the interview ("I'll ask you
            # about a few times you led a project." - "Sounds good."), not a question
            main = False
        if model is None and not main and state == "start" and story >= cfg["story_reply_s"]:
            # the candidate then tells a whole story (short questions inside it, "Which team?", do
            # not end it): a question was asked, however it was worded or heard (Whisper can drop a
            # question's words: "Let's start. So at ..." before a minute of story)
            main, why_main = True, f"followed by {story:.0f} s of the candidate's talk, a whole story"
        if model is None and not main and state == "start" and asks and not chat and after >= cfg["long_reply_s"] \
                and (follow == 0 or n_words >= cfg["min_main_words"]):
            # a short question pointing back ("Why her?") is no first question, however long the reply
            main, why_main = True, f"a question followed by {after:.0f} s of the candidate's talk"
        # a listener's backchannel ("Mm-hm.", "Right, right."), or, inside an answer, a turn of a few
        # words that asks nothing, points nowhere, echoes nothing, is not taken up by the reply and
        # has a word Whisper was unsure of: Whisper writes a listener's "mm-hm" or "uh-huh" as
        # "Zeta.", "First" or "No, no, no." (word probability 0.09-0.44), or times the candidate's
        # next word over it ("I"), and the candidate goes on; a terse follow-up is said clearly
        # ("Lesson.", 0.89) or taken up in its own words ("Three hours." - "Three, maybe less")
        # (the turn model's main question stands over the second kind: "Difficult seller." is a
        # terse question Whisper was unsure of)
        # (a single backchannel word asks nothing for its question mark: "Right?" inside the story)
        backchannel = ((not asks or n_words == 1) and not worded and follow < cfg["statement_followup"]
                       and bool(re.search(cfg["backchannel"], text.strip().rstrip("?"))))  # "Got it." points back at 0.5
        # (a leading "and" or "so" points at nothing: Whisper writes a listener's "mm-hm" as "And then,"
        # at 0.36 and 0.39, blind50 iwz_07)
        quiet = not asks and not worded and _followup_beyond_connective(asked, cfg) == 0 and new == 0 \
            and cut_in is None and "?" not in text
        few = state == "answer" and n_words <= cfg["backchannel_max_words"] \
            and not set(_words(text, cfg["echo_ignore"])) & set(_words(_text(nxt), cfg["echo_ignore"])) \
            and not re.match(cfg["answered_yes_no"], _text(nxt))  # "Supervisors agreed." - "Yes, straight away"
        listening = backchannel or (
            quiet and few and min(w.probability for u in run for w in u.words) < cfg["backchannel_max_probability"])
        # ... and so is such a turn written as a question when Whisper was unsure of every word of it
        # ("What?" 0.34, "My what?" 0.37 and 0.34 for a listener's "mm"): a question said to be
        # answered is said clearly
        # (closing wording is no listener's sound, however unsure: a terse "Questions?" heard as
        # "Question." at 0.3)
        guessed_at = (few and follow == 0 and new == 0 and cut_in is None and not closes
                      and max(w.probability for u in run for w in u.words) < cfg["backchannel_max_probability"])
        # inside an answer, a yes/no question about the story ("Was it hard to get people to talk
        # to you about why they'd stopped?", "Did you check the marks?") with no request for a story
        # in it and nothing before it but a word or two ("Oh no.") is a follow-up, however long the
        # candidate then goes on with the story: a new main question asks for one ("Was there ever a
        # target you thought was unfair?", "Learning something new in a hurry. Has that come up?")
        if main and state == "answer" and new == 0 and asks:
            ask = [u for u in run if u.asks(min_score)][-1]
            if re.search(cfg["yes_no_question"], _text([ask]).lower()) and all(
                    len(u.words) <= cfg["yes_no_lead_words"] for u in run if u is not ask):
                main, note = False, note + "; a yes/no question about the story, asking for no new one"
        # ... and so is a request to hear more of the story being told ("Tell me more about that phone
        # call, because that's the bit I'm interested in.", "Tell me a bit more about how the doctor
        # took it.") or the candidate's own part in it ("I'm hearing a lot of we there. I'd like to
        # know what you did yourself."): the candidate goes back into the same story, at whatever length
        for key, why in (("more_of_the_story", "a request for more of the story being told"),
                         ("own_part", "it asks for the candidate's own part in the story")):
            if main and state == "answer" and new == 0 and not chat and re.search(cfg[key], text.lower()):
                main, note = False, note + f"; {why}"
        # ... and so is a request whose object is something the story named ("Walk me through how that
        # conversation went.", "Tell me about the conversation where you suggested ..."), when its
        # request verb is all the new-story wording there is
        about = re.search(cfg["about_the_story"], text) if main and state == "answer" else None  # (text is lower case)
        if about and re.search(cfg["about_the_story_named_here"], re.split(r"[.?!]", text[:about.start()])[-1]):
            about = None  # "Pick a conversation you'd rather forget and tell me how it went."
        if about and (about.group("clause") or about.group("wish")):  # "how you ...", "I'm curious ...": in the past
            said = re.split(r"[.?!]", text[about.start():])[0]
            about = about if re.search(cfg["told_in_the_past"], said) else None
        if about and new <= cfg["min_main"] and not chat and not re.search(cfg["transition"], text):
            main, note = False, note + "; a request about what the story named, not for a new story"
        # ... and so is the interviewer stopping the candidate to dig into the story ("Sorry, can I
        # stop you there? Was the supervisor happy for you to leave your own task?", "Sorry to jump
        # in, was your probe calibrated?"): a move to a new story says so (new-story or transition
        # wording)
        if main and state == "answer" and new == 0 and not chat and re.search(cfg["interrupts_the_story"], text.lower()) \
                and not re.search(cfg["transition"], text):
            main, note = False, note + "; the interviewer stops the story to ask about it"
        # ... and, where the turn model is unsure, so is a question that points back at something the
        # answer named ("Why not take one of the earlier fields?", "Tell me what the chief pilot
        # said.", 0.53 and 0.52): a new main question asks about something new
        if main and model is not None and state == "answer" and new == 0 and p < cfg["points_back_below"]:
            named = set(_words(_text(exchanges[-1].answer), cfg["echo_ignore"]))
            back = [m.group(1) for m in re.finditer(cfg["points_back"], text.lower()) if m.group(1) in named]
            if back:
                main, note = False, note + f"; it points back at what the answer named ({', '.join(back)})"
        # ... and so, however sure the model, is one with no more than weak new-story wording that
        # names again a thing of two words the candidate's last sentence named ("Talk me through how
        # the drift alert works." right after "We also added a drift alert on the top 20 features")
        if main and state == "answer" and new <= cfg["min_main"] and k and runs[k - 1][0].speaker == "candidate":
            last = _text(runs[k - 1][-1:])
            again = [m.group(1) for m in re.finditer(cfg["names_again"], text.lower())
                     if re.search(rf"\b{re.escape(m.group(1))}\b", last)]
            # (one word only in the turn's last sentence, the request: an acknowledgement before it
            # may name the answer's thing before moving on, "I like that you thought about the
            # fallback. Suppose a director ...")
            again += [m.group(1) for m in re.finditer(cfg["names_again_word"], _text(run[-1:]).lower())
                      if not re.fullmatch(cfg["names_again_ignore"], m.group(1))
                      and re.search(rf"{cfg['names_again_said']}\s+{re.escape(m.group(1))}\b", last)]
            if again:
                main, note = False, note + f"; it names again what the candidate just said ({', '.join(again)})"
        if not main and state == "answer" and follow == 0 and not chat and cut_in is None and not backchannel \
                and re.search(cfg["asks_how_you_handled_someone_new"], text):
            main, note = True, note + "; it asks how the candidate handled someone or something new"
        if main and backchannel:
            main, note = False, note + "; only a listener's backchannel"
        if main:
            if state == "answer":
                _transition_before(runs, k, exchanges[-1], cfg, min_score)
            _question(run, min_score, why_main, cfg)
            exchanges.append(Exchange(question=run))
            state, reply = "answer", None
        elif state == "start":
            _mark(run, "smalltalk", "before the first question" + (f" (chat: {chat.group(0)!r})" if chat else "") + note)
        elif aside:
            _mark(run, "smalltalk", f"between questions ({aside})")
            state, reply = "between", None
        elif ((chat and not story_goes_on) or re.search(cfg["transition"], text)) and cut_in is None:
            cue = chat or re.search(cfg["transition"], text)
            _mark(run, "smalltalk", f"between questions ({'chat' if chat else 'transition'}: {cue.group(0)!r}){note}")
            state, reply = "between", None
        elif state == "between" and not asks and not worded:
            # a remark after small talk between questions ("Here you go.") is more small talk: it
            # does not take up the answer again
            _mark(run, "smalltalk", f"between questions (a remark, no question){note}")
        elif (((asks or worded) and not backchannel) or follow >= cfg["statement_followup"] or not listening) \
                and not guessed_at:
            # a remark inside the answer that is more than a backchannel draws the candidate on it
            # ("Nine late." heard without its "Was that on you?", "That sounds like a risk.")
            if not asks and not worded:
                follow_hits.append("said as a statement")
            _mark(run, "followup", f"asked inside answer {len(exchanges)}; follow-up wording {follow_hits} "
                                   f"({follow:g}) not outweighed by new-story wording {new_hits} ({new:g}){note}")
            reply = []
            exchanges[-1].followups.append((run, reply))
            state = "answer"
        else:
            heard = "a sound Whisper was unsure of every word of" if guessed_at else "a remark"
            _mark(run, "remark", f"{heard} inside answer {len(exchanges)}, no question: the answer goes on{note}")
    return exchanges


def _transition_before(runs: list[list[Unit]], k: int, current: Exchange, cfg: dict, min_score: float) -> None:
    """Before a new main question: an interviewer's remark of some length after the answer (or a
    follow-up said as a statement: "Sorry, you broke up there, but I think I got the gist."), with at
    most a few seconds of the candidate's talk after it ("We've got time for one more, I think." -
    "Sure, go ahead."), is the move to the next question, not part of the answer: both are small
    talk between questions and the answer ends before them."""
    tail: list[list[Unit]] = []
    j = k - 1
    while j >= 0:
        run = runs[j]
        talk = _talk(run, cfg)
        short_reply = run[0].speaker == "candidate" and run[0].role in ("answer", "reply") and talk <= cfg["short_reply_s"]
        # a remark, or a follow-up said as a statement that does not draw on the story ("So it was a
        # hardware problem after all." and "Sounds like the band trusted you more after that." are
        # about the story, and so is one echoing the candidate's words: "It has sales pushed since
        # then.", a question Whisper lost its "And" and "?" from; "Sorry, you broke up there." is not)
        said = run[0].speaker == "interviewer" and (
            run[0].role == "remark" or (run[0].role == "followup" and not _asks(run, min_score)
                                        and not re.match(cfg["story_connective"], _text(run))
                                        and not re.search(cfg["reflects"], _text(run))
                                        and not (j and echoes(run, runs[j - 1], cfg))))
        if not (short_reply or said):
            break
        tail.insert(0, run)
        j -= 1
    while tail and tail[0][0].speaker != "interviewer":
        tail.pop(0)
    if not tail or sum(len(u.words) for u in tail[0]) < cfg["transition_min_words"] or j < 0 \
            or runs[j][0].speaker != "candidate":
        return
    moved = {id(u) for run in tail for u in run}
    current.answer[:] = [u for u in current.answer if id(u) not in moved]
    current.followups[:] = [(asked, reply) for asked, reply in current.followups if id(asked[0]) not in moved]
    for _, reply in current.followups:
        reply[:] = [u for u in reply if id(u) not in moved]
    for run in tail:
        for u in run:
            u.role = "smalltalk"
            u.why.append("smalltalk: between questions: the interviewer's remark after the answer and the "
                         "candidate's short reply, right before the next question")


def _words(text: str, ignore: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9][a-z0-9,']*[a-z0-9]|[a-z0-9]", text.lower().replace("\u2019", "'"))
            if not re.fullmatch(ignore, w)]


def echoes(run: list[Unit], before: list[Unit], cfg: dict) -> bool:
    """The turn repeats the candidate's words just before it ("An hour a day, every day?" after
    "I booked an hour a day with him"): a question about what was just said."""
    said = set(_words(" ".join(u.text for u in before), cfg["echo_ignore"]))

    def repeats(part: list[Unit]) -> bool:
        mine = _words(" ".join(u.text for u in part), cfg["echo_ignore"])
        return bool(mine) and len(mine) <= cfg["echo_max_words"] and sum(w in said for w in mine) >= cfg["echo_share"] * len(mine)

    # the whole turn, or its first sentence before a question about it ("Stopped heating
    # completely. Did anyone know why?")
    return repeats(run) or (len(run) > 1 and repeats(run[:1]))


def _topic(text: str, cfg: dict) -> set[str]:
    """The turn's topic words: words of at least four letters that are not `topic_ignore`, with a
    plural or verb ending cut off ("deals" and "deal", "dropped" and "drop" match)."""
    words = re.findall(r"[a-z][a-z']+", text.lower().replace("\u2019", "'"))
    return {re.sub(r"(?:'s|ies|es|s|ed|ing)$", "", w) for w in words
            if len(w) >= 4 and not re.fullmatch(cfg["topic_ignore"], w)}


def _answered(run: list[Unit], after: list[Unit], cfg: dict) -> bool:
    """In the closing, the candidate's turn is followed by an interviewer's answer (at least
    `closing_answer_words` words before any sentence with closing wording: "Yes, after probation.
    I'll email you about next steps." answers, "I'll email you about next steps." does not; not
    opening with thanks or "good to hear") and is itself no thanks or decline."""
    if not after or after[0].speaker != "interviewer" or re.search(cfg["closing_not_asked"], _text(run)):
        return False
    said = list(itertools.takewhile(lambda u: not re.search(cfg["closing"], _text([u])), after))
    return sum(len(u.words) for u in said) >= cfg["closing_answer_words"] and not re.match(cfg["closing_reply_ack"], _text(after))


def _answer_goes_on(run: list[Unit], exchanges: list[Exchange], reply: list[Unit] | None, note: str) -> None:
    """The candidate's run goes into the current answer, and into the follow-up's reply if one is
    being collected."""
    if reply is not None:
        _mark(run, "reply", f"the candidate replies to the follow-up{note}")
        reply.extend(run)
    else:
        _mark(run, "answer", f"the candidate answers question {len(exchanges)}{note}")
    exchanges[-1].answer.extend(run)


def _mark(run: list[Unit], role: str, why: str) -> None:
    for u in run:
        u.role = role
        u.why.append(f"{role}: {why}")


def _question(run: list[Unit], min_score: float, why: str, cfg: dict) -> None:
    """A main question's run: units before its first question-worded unit are its lead-in, and so
    is chat or a move to the question before it ("Sorry, can you give me one second? Someone's at
    the door. Right, sorry about that. Walk me through ...")."""
    texts = [_text([u]) for u in run]
    moved = [i for i, t in enumerate(texts[:-1]) if _moves_on(t, cfg) and _score(t, cfg["new_story"])[0] == 0]

    def first_asking(after: int) -> int | None:
        return next((i for i, u in enumerate(run) if i >= after and u.cue_score >= min_score),
                    next((i for i, u in enumerate(run) if i >= after and u.text.rstrip().endswith("?")), None))

    # a listener's word after the question ("Yeah.", a fragment of the candidate's breath Whisper
    # wrote and the voices gave to the nearest turn) is no part of it
    last = len(run) - 1
    while last > 0 and re.search(cfg["backchannel"], texts[last].strip()):
        last -= 1
    after = moved[-1] + 1 if moved else 0
    first = first_asking(after)
    if first is None and after:
        first = first_asking(0)
    if first is None or first > last:
        first = last
    _mark(run[:first], "lead", "lead-in to the question")
    _mark(run[first:last + 1], "question", f"main question: {why}")
    _mark(run[last + 1:], "remark", "after the question: a listener's word, no part of it")


def _moves_on(text: str, cfg: dict) -> bool:
    """Chat or a move to the next question ("Sure. Let's start.", "Different kind of question now.")."""
    return bool(re.search(cfg["chat"], text) or re.search(cfg["transition"], text))


def _story_after(runs: list[list[Unit]], k: int, cfg: dict) -> float:
    """Seconds the candidate talks after run k, until the interviewer says `min_main_words` words or
    more, or chat or a move to a question ("Sure. Let's start."): a short question ("Which team?"),
    an echo ("40,000.") or a question Whisper cut short ("How did your manager take") inside the
    story does not end it."""
    talk = 0.0
    for run in runs[k + 1:]:
        if run[0].speaker == "candidate":
            talk += _talk(run, cfg)
        elif sum(len(u.words) for u in run) >= cfg["min_main_words"] \
                or _moves_on(_text(run), cfg):
            break
    return talk


def _story_to_come(runs: list[list[Unit]], k: int, cfg: dict) -> bool:
    """Closing wording in run k with a request for a story (or another question) still to come, after
    it in the same run or in a later turn of the interviewer's, that the candidate answers with a story (at least
    `long_reply_s` of talk): "We've got a few minutes left. A time you learned something quickly."
    is a move to the last question, not the closing."""
    hit = next(i for i, u in enumerate(runs[k]) if re.search(cfg["closing"], _text(runs[k][:i + 1]))
               or re.search(cfg["closing"], _text([u])))  # the wording filling one sentence: "Question." / "Yes"
    for j in range(k, len(runs)):
        if runs[j][0].speaker != "interviewer":
            continue
        # in run k, what follows the closing wording (Whisper can write both in one sentence:
        # "We've got a few minutes left, and can you talk about ...")
        rest = _text(runs[j]) if j > k else re.split(cfg["closing"], _text(runs[k][hit:]), maxsplit=1)[-1]
        if j == k and not re.match(cfg["closing_new_clause"], rest):
            # the words run on in the closing wording's own clause ("Is there anything you want to
            # ask before I let you go?"): its question mark is the invitation's, not a new question
            rest = ""
        elif j == k:
            # ... and so is a question mark right after the closing wording ("Anything for me?")
            rest = re.sub(r"^\s*\?", "", rest)
        # a request for a story, or any question that is not the invitation to ask ("We've got ten
        # minutes left, so a quicker one. You and a designer disagree on a flow. What happens?")
        asked = _score(rest, cfg["new_story"])[0] >= cfg["min_main"] or (
            "?" in rest and not re.search(cfg["closing"], rest))
        if asked and _story_after(runs, j, cfg) >= cfg["long_reply_s"]:
            return True
    return False


def _talk(units: list[Unit], cfg: dict) -> float:
    """How long a stretch of talk is, in seconds at an even pace (`talk_words_per_s`): counted in
    words, so a fast speaker's story weighs as much as a slow speaker's."""
    return sum(len(u.words) for u in units) / cfg["talk_words_per_s"]


def _request_before_closing(runs: list[list[Unit]], k: int, cfg: dict, min_score: float) -> str | None:
    """A later turn of the interviewer's, before any closing wording, worded as a question with
    follow-up wording of at least `closing_request_follow` and no chat ("I'd like to hear more about
    the numbers on that job."): the interviewer is still asking about the story, so run k is not the
    end of the interview (the candidate's own questions, heard as the interviewer's when one voice
    reads both parts, ask about the job: "What does the quota look like for the first six months?")."""
    for run in runs[k + 1:]:
        if run[0].speaker != "interviewer":
            continue
        text = _text(run)
        if re.search(cfg["closing"], text):
            return None
        follow = _score(text, cfg["followup"])[0]
        if any(u.asks(min_score) for u in run) and follow >= cfg["closing_request_follow"] and not re.search(cfg["chat"], text):
            return text
    return None


def _story_asked_later(runs: list[list[Unit]], k: int, cfg: dict) -> bool:
    """A later turn of the interviewer's asks for a story (new-story wording of at least `min_main`)."""
    return any(r[0].speaker == "interviewer" and _score(_text(r), cfg["new_story"])[0] >= cfg["min_main"]
               for r in runs[k + 1:])


def _declined(runs: list[list[Unit]], k: int, cfg: dict) -> str | None:
    """The candidate's words declining to ask anything (`closing_declined`) in the first
    `closing_declined_words` words of the reply to run k."""
    if k + 1 >= len(runs) or runs[k + 1][0].speaker != "candidate":
        return None
    said = Unit([w for u in runs[k + 1] for w in u.words][: cfg["closing_declined_words"]])
    hit = re.search(cfg["closing_declined"], _text([said]))
    return hit.group(0) if hit else None


def _closing_after_reply(runs: list[list[Unit]], k: int, cfg: dict) -> str | None:
    """The closing wording of a later turn of the interviewer's, when the candidate talks at least
    `short_reply_s` between run k and it and no interviewer's turn of some length comes between."""
    talk = 0.0
    for run in runs[k + 1:]:
        if run[0].speaker == "candidate":
            talk += _talk(run, cfg)
            continue
        hit = re.search(cfg["closing"], _text(run))
        if hit:
            return hit.group(0) if talk >= cfg["short_reply_s"] else None
        if sum(len(u.words) for u in run) >= cfg["min_main_words"]:
            return None
    return None


def _talk_after(runs: list[list[Unit]], k: int, cfg: dict) -> float:
    """Seconds the candidate talks after run k, until the interviewer speaks again."""
    if k + 1 >= len(runs) or runs[k + 1][0].speaker != "candidate":
        return 0.0
    return _talk(runs[k + 1], cfg)
