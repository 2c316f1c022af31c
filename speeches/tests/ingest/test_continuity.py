from speeches.ingest.continuity import NewSpeech, OldSpeech, assign_ids, shingles, successor

TEXT_A = "同志们：今天我们召开全市森林防火工作会议，主要任务是部署今冬明春森林防火工作。" * 5
TEXT_B = "各位代表：这次会议是全区信访工作会议，要把信访积案化解作为头等大事来抓。" * 5


def derive(ordinal: int) -> str:
    return f"id{ordinal:04d}"


def test_identical_content_keeps_its_id_even_when_it_moves():
    old = [OldSpeech("keepA", "fa", TEXT_A), OldSpeech("keepB", "fb", TEXT_B)]
    new = [NewSpeech(1, "fb", TEXT_B), NewSpeech(2, "fa", TEXT_A)]
    ids, orphans = assign_ids(old, new, derive)
    assert ids == {1: "keepB", 2: "keepA"} and orphans == {}


def test_an_edited_speech_keeps_its_id():
    old = [OldSpeech("keepA", "fa", TEXT_A)]
    new = [NewSpeech(1, "changed", TEXT_A + "谢谢大家！")]
    ids, orphans = assign_ids(old, new, derive)
    assert ids == {1: "keepA"} and orphans == {}


def test_a_speech_merged_into_another_points_to_it():
    old = [OldSpeech("a", "fa", TEXT_A), OldSpeech("b", "fb", TEXT_B)]
    new = [NewSpeech(1, "fab", TEXT_A + TEXT_B)]
    ids, orphans = assign_ids(old, new, derive)
    assert len(ids) == 1 and list(orphans.values()) == [1]


def test_an_old_id_is_never_given_to_unrelated_content():
    old = [OldSpeech("id0001", "fa", TEXT_A)]
    new = [NewSpeech(1, "fb", TEXT_B)]
    ids, orphans = assign_ids(old, new, derive)
    assert ids[1] != "id0001" and orphans == {"id0001": None}


def test_reserved_alias_ids_are_not_handed_out_again():
    ids, _ = assign_ids([], [NewSpeech(1, "fa", TEXT_A)], derive, reserved=frozenset({"id0001"}))
    assert ids[1] != "id0001"


def test_edited_copies_keep_the_ids_of_the_copies_at_their_own_positions():
    old = [OldSpeech("zfirst", "fa", TEXT_A, ordinal=1), OldSpeech("b", "fb", TEXT_B, ordinal=2)]
    old.append(OldSpeech("acopy", "fa", TEXT_A, ordinal=3))
    edited = TEXT_A + "谢谢大家！"
    new = [NewSpeech(1, "fa2", edited), NewSpeech(2, "fb", TEXT_B), NewSpeech(3, "fa2", edited)]
    ids, _ = assign_ids(old, new, derive)
    assert ids == {1: "zfirst", 2: "b", 3: "acopy"}


def test_an_unchanged_copy_keeps_the_id_at_its_position_when_the_original_was_edited():
    old = [OldSpeech("zfirst", "fa", TEXT_A, ordinal=1), OldSpeech("acopy", "fa", TEXT_A, ordinal=2)]
    new = [NewSpeech(1, "fa2", TEXT_A + "谢谢大家！"), NewSpeech(2, "fa", TEXT_A)]
    ids, _ = assign_ids(old, new, derive)
    assert ids == {1: "zfirst", 2: "acopy"}


TEXT_C = "在全县安全生产工作会议上，我讲三点意见：一要压实责任，二要排查隐患，三要严格执法。" * 5


def test_a_speech_split_into_pieces_keeps_its_id_on_the_piece_it_opens_with():
    # No piece is similar enough to be the same speech (each is a third of the old
    # text); the first holds its opening, and continues it.
    old = [OldSpeech("abc", "fabc", TEXT_A + TEXT_B + TEXT_C)]
    new = [NewSpeech(1, "fa", TEXT_A), NewSpeech(2, "fb", TEXT_B), NewSpeech(3, "fc", TEXT_C)]
    ids, orphans = assign_ids(old, new, derive)
    assert ids == {1: "abc", 2: "id0002", 3: "id0003"} and orphans == {}


def test_a_split_speech_keeps_its_id_on_its_opening_even_when_a_later_piece_is_larger():
    old = [OldSpeech("abc", "fabc", TEXT_A + TEXT_B + TEXT_C, ordinal=1)]
    new = [NewSpeech(1, "fa", TEXT_A), NewSpeech(2, "fbc", TEXT_B + TEXT_C)]
    ids, orphans = assign_ids(old, new, derive)
    assert ids == {1: "abc", 2: "id0002"} and orphans == {}


def test_a_merged_speech_keeps_the_id_of_the_speech_it_opens_with():
    # The second old speech is the larger part of the merge, the first its opening.
    old = [OldSpeech("a", "fa", TEXT_A, ordinal=1), OldSpeech("bc", "fbc", TEXT_B + TEXT_C, ordinal=2)]
    new = [NewSpeech(1, "fabc", TEXT_A + TEXT_B + TEXT_C)]
    ids, orphans = assign_ids(old, new, derive)
    assert ids == {1: "a"} and orphans == {"bc": 1}


def test_a_live_id_comes_before_a_retired_one_for_the_same_text():
    # "aretired" became an alias of the speech now called "zlive", keeping the same text.
    old = [OldSpeech("zlive", "fa", TEXT_A, ordinal=1), OldSpeech("aretired", "fa", TEXT_A, ordinal=1, retired=True)]
    ids, orphans = assign_ids(old, [NewSpeech(1, "fa2", TEXT_A + "谢谢大家！")], derive)
    assert ids == {1: "zlive"} and orphans == {"aretired": 1}


def test_a_retired_id_is_not_taken_by_a_speech_that_only_starts_with_its_text():
    # "x" was dropped; its text is now read as the opening of the speech "bc" names.
    old = [OldSpeech("bc", "fbc", TEXT_B + TEXT_C, ordinal=1), OldSpeech("x", "fa", TEXT_A, ordinal=1, retired=True)]
    ids, orphans = assign_ids(old, [NewSpeech(1, "fabc", TEXT_A + TEXT_B + TEXT_C)], derive)
    assert ids == {1: "bc"} and orphans == {"x": 1}


TEXT_D = "关于乡村振兴，要抓好产业发展、人才培养、文化建设、生态保护和组织建设五个方面。" * 5


def test_an_old_speech_leads_to_the_piece_holding_most_of_its_text():
    # Its first quarter went to the first piece, half of it to the second, the rest nowhere.
    pieces = {1: shingles(TEXT_A), 2: shingles(TEXT_B + TEXT_C)}
    assert successor(shingles(TEXT_A + TEXT_B + TEXT_C + TEXT_D), pieces) == 2
