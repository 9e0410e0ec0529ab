"""Write each message to a file in SMS_FILE_PATH (one file per connection), to read them afterwards."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.sms import SmsMessage
from core.sms.backends.base import BaseSmsBackend
from core.sms.backends.console import render


class SmsBackend(BaseSmsBackend):
    provider = "file"

    def __init__(self, fail_silently: bool = False, *, file_path: str | Path | None = None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        path = file_path or settings.SMS_FILE_PATH
        if not path:
            raise ImproperlyConfigured("Set SMS_FILE_PATH to the directory where the file SMS backend writes.")
        self.file_path = Path(path).resolve()
        try:
            self.file_path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ImproperlyConfigured(f"SMS_FILE_PATH {self.file_path} is not a usable directory ({exc}).") from exc
        self._file_name: Path | None = None
        self._stream = None

    def open(self) -> bool:
        if self._stream is not None:
            return False
        if self._file_name is None:
            stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S")
            self._file_name = self.file_path / f"{stamp}-{abs(id(self))}.log"
        self._stream = self._file_name.open("a", encoding="utf-8")
        return True

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def deliver(self, message: SmsMessage) -> str:
        self._stream.write(render(message))
        self._stream.flush()
        return ""
