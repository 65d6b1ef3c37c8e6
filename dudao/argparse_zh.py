"""argparse's own words (usage, options, its error messages) in Chinese unless DUDAO_LANG=en: argparse looks
its strings up through gettext's `_` at the moment it uses them, so a lookup in this table replaces it."""

import argparse

from core.lang import english

CATALOGUE = {
    "usage: ": "用法：",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可用：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须选择其一",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _translate(message: str) -> str:
    return message if english() else CATALOGUE.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    if english():
        return singular if n == 1 else plural
    return "需要 %s 个值" if singular.startswith("expected %s argument") else (singular if n == 1 else plural)


def install() -> None:
    argparse._ = _translate
    argparse.ngettext = _ntranslate


class Parser(argparse.ArgumentParser):
    """Usage errors as one line (what is wrong, and where to read the usage), exit code 2."""

    def error(self, message: str):
        hint = f"（`{self.prog} --help` 查看用法）" if not english() else f" (see `{self.prog} --help`)"
        self.exit(2, _translate("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message + hint})
