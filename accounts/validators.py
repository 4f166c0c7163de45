"""Password rules with their messages in Chinese.

Django's zh-hans catalogue leaves the plural message of the length rule untranslated (its
ngettext form falls back to English), so the length rule carries its own message.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator


class MinimumLengthValidatorZh(MinimumLengthValidator):
    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
