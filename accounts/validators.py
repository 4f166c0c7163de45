"""Password rules with their messages in Chinese, whatever language is active.

Django's zh-hans catalogue leaves the plural message of the length rule untranslated (its
ngettext form falls back to English), and its other messages depend on the active language
(a management command or a task runs in English): each rule here carries its own message.
"""

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
)


class MinimumLengthValidatorZh(MinimumLengthValidator):
    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class CommonPasswordValidatorZh(CommonPasswordValidator):
    """Django's list of 20,000 common passwords (the one an attacker tries first)."""

    def get_error_message(self):
        return "这个密码太常见，容易被猜中，请换一个不常见的密码。"

    def get_help_text(self):
        return "密码不能是常见密码（如 password123456、qwerty123）。"


class NumericPasswordValidatorZh(NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字，请加入字母或符号。"

    def get_help_text(self):
        return "密码不能全是数字。"


# The account's own fields a password must not resemble (Django's default names first_name
# and last_name, which this user model has not).
SIMILAR_FIELDS = ("username", "full_name", "email", "phone")


class UserAttributeSimilarityValidatorZh(UserAttributeSimilarityValidator):
    def __init__(self, user_attributes=SIMILAR_FIELDS, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self):
        # verbose_name: the field's own Chinese label (用户名, 姓名 ...).
        return "密码与账号的%(verbose_name)s太相似，请换一个。"

    def get_help_text(self):
        return "密码不能与用户名、姓名、电子邮箱或电话相似。"
