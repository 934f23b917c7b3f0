"""Generated opinions with planted themes and planted campaigns, for tests and ``bench/text``.

All text here was written for this project.  An opinion is three or four sentences built
from slots with many options (who writes, the view on one theme's subject, the reason,
a closing), about 50 syllables, so two independent opinions almost never share most of
their wording.  A campaign copies one opinion many times with the changes real
campaigns show: a few words changed, sentences reordered, tone marks placed the other
way, decomposed Unicode (NFD), no diacritics, capitals, teen-code, a greeting added.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from analysis.text.opinion import Opinion
from consult.textnorm import strip_marks

WHO = (
    ("Tôi là", "Tôi đang là", "Gia đình tôi là", "Chúng tôi là", "Bản thân tôi là", "Tôi từng là"),
    ("thành viên", "xã viên", "cán bộ quản lý", "kế toán", "giám đốc", "người lao động",
     "kiểm soát viên", "chủ nhiệm"),
    ("của một hợp tác xã", "tại hợp tác xã", "ở hợp tác xã", "trong hợp tác xã"),
    ("nông nghiệp", "thủy sản", "dịch vụ tổng hợp", "vận tải", "chè", "cà phê", "rau an toàn",
     "tín dụng", "lúa gạo", "chăn nuôi bò sữa", "mây tre đan", "nước sạch", "du lịch cộng đồng"),
    ("ở", "tại", "thuộc"),
    ("Thái Bình", "Nghệ An", "Lâm Đồng", "Sóc Trăng", "Yên Bái", "Quảng Nam", "Đắk Lắk",
     "Hà Giang", "Bến Tre", "Ninh Thuận", "Phú Thọ", "Cà Mau", "Bắc Giang", "Kon Tum",
     "Thanh Hóa", "Hòa Bình", "Long An", "Quảng Trị", "Điện Biên", "An Giang"),
)
OPENERS = ("Tôi đề nghị", "Đề nghị ban soạn thảo", "Theo tôi nên", "Chúng tôi kiến nghị",
           "Kính đề nghị", "Dự thảo cần", "Tôi mong luật", "Rất mong ban soạn thảo",
           "Tôi thấy cần", "Xin kiến nghị", "Thiết nghĩ nên", "Em xin đề xuất")
ACTIONS = ("quy định rõ hơn về", "sửa lại", "bổ sung hướng dẫn về", "xem xét lại",
           "làm rõ", "đơn giản hóa", "có quy định riêng về", "cụ thể hóa", "thiết kế lại",
           "nghiên cứu kỹ", "rà soát", "viết lại cho dễ hiểu")
QUALIFIERS = ("cho sát thực tế", "để dân dễ làm", "ở nông thôn", "với hợp tác xã nhỏ",
              "trong thời gian tới", "để tránh tùy tiện", "như nhiều nước", "ngay trong luật",
              "thay vì để nghị định", "cho thống nhất", "càng sớm càng tốt", "một cách thỏa đáng")
CONNECTORS = ("Vì", "Bởi vì", "Thực tế là", "Ở địa phương tôi", "Hiện nay", "Tôi thấy",
              "Có thể thấy", "Theo kinh nghiệm thì", "Nói thật là", "Chúng tôi nhận thấy")
ACTORS = ("nhiều xã viên", "bà con nông dân", "các hợp tác xã nhỏ", "người lao động",
          "cán bộ quản lý", "thành viên lớn tuổi", "các hộ nghèo", "phụ nữ ở nông thôn",
          "thanh niên", "đồng bào dân tộc", "các tổ sản xuất", "hộ kinh doanh")
CIRCUMSTANCES = ("trong mấy năm gần đây", "sau mỗi vụ thu hoạch", "khi thị trường biến động",
                 "ở các xã vùng sâu", "mỗi lần có đoàn kiểm tra", "từ khi có luật cũ",
                 "nhất là vào mùa mưa", "dù đã kiến nghị nhiều lần", "ở huyện tôi",
                 "suốt thời gian dịch bệnh")
LINKS = ("nên", "vì vậy", "do đó", "rốt cuộc", "cho nên", "và thế là", "kết quả là", "thành ra")
DETAILS = (("Hợp tác xã chúng tôi có", "Chỗ tôi có", "Xã tôi có", "Ở đây có", "Đơn vị tôi có",
            "Thôn tôi có"),
           ("thành viên", "hộ", "lao động", "héc-ta", "tổ sản xuất", "triệu đồng vốn"))
CLOSINGS = (("Mong", "Rất mong", "Hy vọng", "Kính mong", "Tha thiết mong"),
            ("ban soạn thảo", "Quốc hội", "cơ quan soạn thảo", "các vị đại biểu", "Bộ"),
            ("tiếp thu", "xem xét", "cân nhắc", "lắng nghe", "nghiên cứu"),
            ("ý kiến này", "góp ý của người dân", "đề xuất trên", "kiến nghị của chúng tôi",
             "nguyện vọng của bà con"))

#: Per theme: subjects of the view, problems met and their consequences.
THEMES = {
    "capital": (
        ("mức vốn góp tối thiểu", "tỷ lệ vốn góp tối đa", "việc trả lại vốn góp",
         "thời hạn góp đủ vốn", "việc chuyển nhượng vốn góp", "lãi chia theo vốn góp",
         "mức trần chia theo vốn", "định giá tài sản góp vốn", "huy động vốn góp thêm",
         "vốn điều lệ tối thiểu", "góp vốn bằng đất", "rút vốn khi ra khỏi"),
        ("khó góp vốn một lần", "thiếu tiền mua máy móc", "e ngại góp thêm vốn",
         "chờ rất lâu mới nhận lại vốn", "bị định giá đất góp vốn tùy tiện",
         "không vay được vì vốn điều lệ thấp", "phải góp vốn bằng tiền mặt",
         "không biết vốn góp của mình được dùng vào đâu", "bị chia lãi vốn quá thấp",
         "tranh cãi về phần vốn của người đã mất", "phải vay nóng để góp vốn",
         "muốn góp thêm mà bị giới hạn tỷ lệ"),
        ("hợp tác xã khó mở rộng sản xuất", "mất động lực góp vốn", "dễ tranh chấp về vốn",
         "nguồn vốn luôn thiếu hụt", "máy móc cũ không thay được", "tiền nhàn rỗi không được huy động",
         "ngân hàng từ chối cho vay", "người giỏi không muốn góp vốn", "vốn chết nằm trong kho",
         "xã viên rút vốn hàng loạt"),
    ),
    "members": (
        ("điều kiện kết nạp thành viên mới", "quyền biểu quyết của thành viên",
         "nghĩa vụ sử dụng dịch vụ", "việc chấm dứt tư cách thành viên",
         "thành viên liên kết không góp vốn", "số thành viên tối thiểu",
         "quyền được thông tin của thành viên", "độ tuổi của thành viên",
         "quyền khiếu nại của thành viên", "việc khai trừ thành viên", "thành viên là pháp nhân",
         "nghĩa vụ của thành viên mới"),
        ("muốn vào mà thủ tục kết nạp rườm rà", "thấy mỗi người một phiếu là công bằng",
         "chỉ vào để hưởng hỗ trợ rồi bỏ", "không được báo họp đầy đủ",
         "không biết tiền chung chi vào việc gì", "ít người muốn làm xã viên",
         "bị khai trừ mà không được giải thích", "không được xem sổ sách",
         "phải dùng dịch vụ đắt hơn bên ngoài", "không rõ quyền của thành viên liên kết",
         "bị ép mua vật tư của hợp tác xã", "khiếu nại mãi không ai trả lời"),
        ("tinh thần đoàn kết giảm sút", "số xã viên giảm dần", "niềm tin vào ban quản lý mất dần",
         "người trẻ bỏ đi nơi khác", "nội bộ lục đục", "nhiều người xin ra khỏi hợp tác xã",
         "các cuộc họp vắng tanh", "đơn thư khiếu nại tăng lên", "hợp tác xã chỉ còn trên giấy",
         "xã viên làm ăn riêng lẻ"),
    ),
    "support": (
        ("chính sách miễn giảm thuế", "hỗ trợ đào tạo nhân lực", "ưu đãi tín dụng",
         "hỗ trợ đất đai xây nhà xưởng", "hỗ trợ ứng dụng công nghệ", "hỗ trợ xúc tiến thương mại",
         "hỗ trợ thành lập mới", "hỗ trợ kết cấu hạ tầng", "bảo hiểm nông nghiệp",
         "hỗ trợ chế biến sau thu hoạch", "hỗ trợ chuyển đổi số", "hỗ trợ lãi suất vay"),
        ("nhận tiền hỗ trợ khi đã hết mùa vụ", "chờ ưu đãi thuế mấy tháng mới xong",
         "không thuê được đất xây kho lạnh", "được đào tạo xong lại bỏ lên thành phố",
         "làm ra sản phẩm mà không có đầu ra", "vay thương mại với lãi suất quá cao",
         "không biết chính sách hỗ trợ nào đang có", "phải làm quá nhiều hồ sơ xin hỗ trợ",
         "được cấp máy móc nhưng không ai biết dùng", "mất trắng vì thiên tai mà không có bảo hiểm",
         "không đủ điều kiện vay ưu đãi", "bị chậm giải ngân vốn hỗ trợ"),
        ("chính sách chưa vào cuộc sống", "nông sản bị ép giá", "khó cạnh tranh với doanh nghiệp",
         "ngân sách bị lãng phí", "hàng tồn kho chất đống", "cán bộ giỏi không giữ được",
         "sản xuất vẫn manh mún", "nhiều nơi bỏ luôn không xin nữa", "thiệt hại không được bù",
         "thu nhập bấp bênh"),
    ),
    "governance": (
        ("nhiệm kỳ hội đồng quản trị", "chế độ họp đại hội", "quyền hạn của giám đốc",
         "chức năng ban kiểm soát", "việc kiểm toán báo cáo tài chính", "tỷ lệ tham dự đại hội",
         "việc bầu chủ tịch", "cơ chế giám sát nội bộ", "việc thuê giám đốc điều hành",
         "thù lao người quản lý", "việc công khai tài chính", "trách nhiệm khi thua lỗ"),
        ("thấy chủ tịch kiêm giám đốc mà không ai giám sát", "họp đại hội mà không đủ người dự",
         "thấy ban kiểm soát do giám đốc đề cử", "ghi chép sổ sách sơ sài",
         "làm quản lý lâu năm mà thù lao tượng trưng", "để vài người quyết chuyện lớn",
         "không được xem báo cáo tài chính", "thấy thua lỗ mà không ai chịu trách nhiệm",
         "bầu lại mãi một người", "thuê giám đốc bên ngoài thì không tin",
         "kiểm toán tốn kém so với doanh thu", "không biết ai ký hợp đồng lớn"),
        ("dễ phát sinh tiêu cực", "mất lòng tin vào ban quản lý", "hoạt động kém minh bạch",
         "thất thoát tài sản chung", "nội bộ mâu thuẫn kéo dài", "hợp tác xã thua lỗ triền miên",
         "người có năng lực không muốn làm quản lý", "quyết định sai mà không ai sửa",
         "xã viên mất quyền làm chủ", "nợ nần chồng chất"),
    ),
    "registration": (
        ("thủ tục đăng ký thành lập", "thời hạn cấp giấy chứng nhận", "hồ sơ đăng ký thay đổi",
         "lệ phí đăng ký", "việc đăng ký qua mạng", "cơ quan đăng ký cấp huyện",
         "việc công bố thông tin đăng ký", "thủ tục giải thể tự nguyện", "mẫu điều lệ",
         "việc đổi tên và trụ sở", "thủ tục mở chi nhánh", "việc cấp lại giấy chứng nhận"),
        ("phải lên huyện nhiều lần mới nộp xong", "gặp mỗi nơi đòi giấy tờ một kiểu",
         "gặp cán bộ một cửa không nắm quy định", "không quen nộp hồ sơ qua mạng",
         "bị trả hồ sơ chỉ vì sai một chữ", "giải thể xong vẫn bị gọi nộp báo cáo",
         "chờ cả tháng mới có giấy chứng nhận", "phải thuê dịch vụ làm hồ sơ",
         "không biết điền mẫu điều lệ thế nào", "đổi trụ sở mà phải làm lại từ đầu",
         "bị đòi nộp thêm giấy tờ không có trong luật", "mất giấy chứng nhận mà khó xin lại"),
        ("tốn kém thời gian và tiền bạc", "người dân ngại thành lập hợp tác xã",
         "phiền hà không cần thiết", "việc kinh doanh bị chậm", "nhiều tổ hợp tác không dám lên",
         "thủ tục thành gánh nặng", "cơ hội làm ăn bị lỡ", "nảy sinh tiêu cực ở khâu đăng ký",
         "hồ sơ tồn đọng", "doanh nghiệp được lợi hơn hợp tác xã"),
    ),
}

_TEEN = (("không", "ko"), ("được", "dc"), ("hợp tác xã", "HTX"), ("người", "ng"),
         ("thành viên", "tv"), ("với", "vs"))
_RETONE = (("hòa", "hoà"), ("hóa", "hoá"), ("thủy", "thuỷ"), ("tùy", "tuỳ"), ("khỏe", "khoẻ"),
           ("Hòa", "Hoà"), ("Thanh Hóa", "Thanh Hoá"))
_SWAPS = (("rất", "thực sự"), ("nhiều", "không ít"), ("nên", "cần"), ("khó", "không dễ"),
          ("tôi", "em"), ("Tôi", "Em"), ("thấp", "ít"), ("quá", "rất"), ("cao", "lớn"))


@dataclass(frozen=True)
class Truth:
    theme: str
    #: The planted campaign this opinion belongs to, or None.
    campaign: int | None


def _pick(rng: random.Random, options) -> str:
    return options[rng.randrange(len(options))]


def opinion_text(rng: random.Random, theme: str) -> str:
    """One opinion of about 50 syllables on ``theme``."""
    subjects, problems, consequences = THEMES[theme]
    sentences = []
    has_who = rng.random() < 0.5
    if has_who:
        sentences.append(" ".join(_pick(rng, slot) for slot in WHO) + ".")
    sentences.append(f"{_pick(rng, OPENERS)} {_pick(rng, ACTIONS)} {_pick(rng, subjects)} "
                     f"{_pick(rng, QUALIFIERS)}.")
    sentences.append(f"{_pick(rng, CONNECTORS)} {_pick(rng, ACTORS)} {_pick(rng, problems)} "
                     f"{_pick(rng, CIRCUMSTANCES)}, {_pick(rng, LINKS)} {_pick(rng, consequences)}.")
    if not has_who or rng.random() < 0.3:
        sentences.append(f"{_pick(rng, DETAILS[0])} {rng.randint(5, 900)} {_pick(rng, DETAILS[1])}.")
    if rng.random() < 0.1:
        sentences.append(" ".join(_pick(rng, slot) for slot in CLOSINGS) + ".")
    return " ".join(sentences)


def vary(rng: random.Random, text: str) -> str:
    """A campaign copy: one to three of the changes campaigns show."""
    changes = rng.sample(range(9), rng.randint(1, 3))
    for change in sorted(changes):
        text = _CHANGES[change](rng, text)
    return text


def _change_words(rng, text):
    for _ in range(rng.randint(1, 3)):
        old, new = _pick(rng, _SWAPS)
        if old in text:
            text = text.replace(old, new, 1)
    return text


def _reorder(rng, text):
    sentences = re.split(r"(?<=\.) ", text)
    rng.shuffle(sentences)
    return " ".join(sentences)


def _retone(rng, text):
    for old, new in _RETONE:
        text = text.replace(old, new)
    return text


def _teen(rng, text):
    for old, new in rng.sample(_TEEN, 3):
        text = text.replace(old, new)
    return text


_CHANGES = (
    _change_words,
    _reorder,
    _retone,
    lambda rng, text: unicodedata.normalize("NFD", text),
    lambda rng, text: strip_marks(text),
    lambda rng, text: text.upper() if rng.random() < 0.3 else text.lower(),
    _teen,
    lambda rng, text: f"{_pick(rng, ('Kính gửi ban soạn thảo.', 'Xin chào.', 'Ý kiến của tôi:'))} {text}",
    lambda rng, text: text + " " + _pick(rng, ("Trân trọng.", "Xin cảm ơn!", "Cảm ơn.")),
)


def generate(count: int, campaign_share: float = 0.1, campaign_count: int = 10,
             seed: int = 1) -> tuple[list[Opinion], dict[int, Truth]]:
    """``count`` opinions over the THEMES, ``campaign_share`` of them in planted campaigns."""
    rng = random.Random(seed)
    themes = list(THEMES)
    in_campaigns = int(count * campaign_share)
    sizes = _campaign_sizes(rng, in_campaigns, campaign_count)
    opinions: list[Opinion] = []
    truth: dict[int, Truth] = {}
    for label, size in enumerate(sizes):
        theme = themes[label % len(themes)]
        base = opinion_text(rng, theme)
        for copy in range(size):
            text = base if copy == 0 or rng.random() < 0.15 else vary(rng, base)
            opinions.append(Opinion(len(opinions) + 1, text, theme, _respondent(rng)))
            truth[len(opinions)] = Truth(theme, label)
    while len(opinions) < count:
        theme = themes[len(opinions) % len(themes)]
        opinions.append(Opinion(len(opinions) + 1, opinion_text(rng, theme), theme, _respondent(rng)))
        truth[len(opinions)] = Truth(theme, None)
    rng.shuffle(opinions)
    return opinions, truth


def _campaign_sizes(rng: random.Random, total: int, count: int) -> list[int]:
    if total < 2 or count < 1:
        return []
    count = min(count, total // 2)
    cuts = sorted(rng.sample(range(1, total), count - 1)) if count > 1 else []
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [total])]
    return [max(2, size) for size in sizes]


def _respondent(rng: random.Random) -> str:
    return _pick(rng, ("citizen", "citizen", "coop_member", "cooperative", "enterprise"))
