"""Lip-sync from recorded audio: speech opens and closes the mouth, silence keeps it shut; vowels move MouthForm."""

from __future__ import annotations

import numpy as np
import pytest

from inference.tracking.audio import AudioError, Microphone, read_audio
from inference.tracking.lipsync import MOUTH_FORM, MOUTH_OPEN, LipSync, LipSyncSettings, analyse
from tests.inference.tracking.speech import RATE, silence, speech, vowel, write_wav


def test_speech_file_drives_mouth_open_and_silence_does_not(tmp_path):
    spoken = analyse(*read_audio(write_wav(tmp_path / "speech.wav", speech(3.0))))
    quiet = analyse(*read_audio(write_wav(tmp_path / "silence.wav", silence(3.0))))
    assert spoken.duration_s == pytest.approx(3.0, abs=0.02)
    assert spoken.mouth_open.max() > 0.5  # -26 dBFS talking: about 0.6 of full
    assert (spoken.mouth_open > 0.3).mean() > 0.4  # open for much of the time ...
    assert (spoken.mouth_open < 0.1).mean() > 0.05  # ... and shut again in the pauses
    # syllables: the mouth opens and closes several times a second
    crossings = np.count_nonzero(np.diff((spoken.mouth_open > 0.4).astype(int)) == 1)
    assert crossings >= 5
    assert quiet.mouth_open.max() == 0.0
    assert np.all(quiet.mouth_form == 0.0)


def test_vowels_move_mouth_form_apart():
    sync = analyse(np.concatenate([vowel("i", 0.5), vowel("u", 0.5)]), RATE)
    i_form = sync.at(0.45)[MOUTH_FORM]
    u_form = sync.at(0.95)[MOUTH_FORM]
    assert i_form > 0.3 > -0.3 > u_form


def test_streaming_in_odd_blocks_matches_offline():
    x = speech(1.5, seed=3)
    offline = analyse(x, RATE)
    live = LipSync(RATE)
    opens = []
    for start in range(0, x.size, 317):  # blocks not a multiple of the hop
        if live.feed((x[start:start + 317] * 32767).astype(np.int16)):
            opens.append(live.mouth_open)
    assert live.mouth_open == pytest.approx(float(offline.mouth_open[-1]), abs=0.01)
    assert max(opens) > 0.5


def test_attack_is_faster_than_release():
    s = LipSyncSettings(attack_ms=20, release_ms=200, vowels=False)
    tone = np.concatenate([vowel("a", 0.3, level=0.5), np.zeros(int(0.3 * RATE), np.float32)])
    track = analyse(tone, RATE, s)
    assert track.at(0.1)[MOUTH_OPEN] > 0.9  # 100 ms in: open
    assert track.at(0.35)[MOUTH_OPEN] > 0.5  # 50 ms after the end (minus the window): still closing
    assert track.at(0.59)[MOUTH_OPEN] < 0.3
    assert MOUTH_FORM not in track.at(0.1)


def test_gate_and_range_settings_are_checked():
    with pytest.raises(ValueError):
        LipSyncSettings(gate_db=-10, full_db=-20)
    loud_gate = analyse(speech(1.0), RATE, LipSyncSettings(gate_db=-5, full_db=-1))
    assert loud_gate.mouth_open.max() == 0.0


def test_missing_file_and_undecodable_format_say_why(tmp_path):
    with pytest.raises(AudioError, match="no such audio file"):
        read_audio(tmp_path / "nope.wav")
    bad = tmp_path / "x.mp3"
    bad.write_bytes(b"not audio")
    with pytest.raises(AudioError, match="ffmpeg|decode"):
        read_audio(bad)


def test_microphone_without_portaudio_names_what_to_install():
    try:
        import sounddevice  # noqa: F401
    except (ImportError, OSError):
        with pytest.raises(AudioError, match="pip install sounddevice"):
            Microphone().start()
        return
    pytest.skip("sounddevice and PortAudio are installed; no missing-library message to check")


def test_real_synthesised_speech_from_espeak_ng(tmp_path):
    import shutil
    import subprocess

    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): no recorded speech to test on")
    wav = tmp_path / "hello.wav"
    subprocess.run([exe, "-w", str(wav), "Hello everyone, welcome back to the stream."], check=True)
    samples, rate = read_audio(wav)
    track = analyse(samples, rate)
    assert rate == 22050 and track.duration_s > 1.5
    assert track.mouth_open.max() > 0.8 and (track.mouth_open > 0.3).mean() > 0.5
    # word and syllable boundaries close the mouth part way several times
    assert np.count_nonzero(np.diff((track.mouth_open > 0.5).astype(int)) == 1) >= 3
    quiet = analyse(np.zeros(rate, np.int16), rate)
    assert quiet.mouth_open.max() == 0.0
