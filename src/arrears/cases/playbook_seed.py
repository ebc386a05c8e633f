"""The seed's debtor types and collection advice, as plain data for the playbook tables.

Source: the first section of shared/seed/loan-collection-practices.zh-Hant.txt (根据逾期客户的
不同态度和行为，可以分为挑衅型、逃避型、受害型、自信型、固执型、世故型、保证还款型和* * *), converted
to Simplified Chinese and cleaned of machine-translation noise; the English follows the
Chinese. A data migration copies this into editable tables next session; after that the
tables, not this module, are what managers edit (add, rename, retire types).

Each type is a dict with: code, sort_order, name_zh, name_en, traits_zh, traits_en,
example_zh, example_en, techniques_zh, techniques_en (tuples of the same length, one technique
per entry, in the seed's order).

What was left out on purpose: the seed's advice to follow a debtor "in the office, at meals and
to the toilet, and on the way home" (三紧跟) and its praise of "very irregular" collection
methods. Both are harassment under RULES.md (conduct: no threats, shaming or harassing contact),
so they are not part of any playbook.
"""

from __future__ import annotations

from typing import Any

DebtorType = dict[str, Any]

DEBTOR_TYPES: tuple[DebtorType, ...] = (
    {
        "code": "provocative",
        "sort_order": 1,
        "name_zh": "挑衅型",
        "name_en": "Provocative",
        "traits_zh": "言语和肢体语言带有攻击性；这是最容易解决的客户类型。",
        "traits_en": "Aggressive in words and body language; the easiest type to resolve.",
        "example_zh": (
            "某客户第二期还款逾期10天，第三期还款现在仍然逾期。信贷员上门拜访了他的店铺，"
            "之后又打了几次电话。客户对信贷员的拜访很恼火，强硬地答复：“我不明白！我在农行"
            "也有贷款，从来没有你们这么烦！虽然我总是晚交，但月底一定会交，你们还要额外罚款！”"
            "此时他已逾期十几天，仍未还款。"
        ),
        "example_en": (
            "A customer was 10 days late with his second installment and is now late again with "
            "the third. The loan officer visited his business and then called several times. "
            "Annoyed by the visit, the customer answered bluntly: “I don't get it! I have a loan "
            "with the Agricultural Bank too, and they have never pestered me like you do! I am "
            "always a bit late, but I always pay by the end of the month, and you even charge an "
            "extra penalty!” He was more than ten days late and still had not paid."
        ),
        "techniques_zh": (
            "找出敌对情绪的原因；",
            "让客户发泄，说出自己的挫折；",
            "关心客户，对他面临的困难表示同情；",
            "等客户冷静下来，再一起寻找解决办法；",
            "千万不要硬碰硬。",
        ),
        "techniques_en": (
            "Find out what drives the hostility.",
            "Let the customer vent and explain the frustration.",
            "Show concern and sympathy for the difficulties the customer faces.",
            "Wait until the customer has calmed down, then look for a solution together.",
            "Never meet force with force.",
        ),
    },
    {
        "code": "evasive",
        "sort_order": 2,
        "name_zh": "逃避型",
        "name_en": "Evasive",
        "traits_zh": "难以联系，从不给出任何解释，也很难上门见到本人。",
        "traits_en": "Hard to reach, never gives any explanation, and hard to meet in person.",
        "example_zh": (
            "某客户已逾期27天。他的店铺看起来已经关门，但从邻居那里了解到店铺还时不时开门。"
            "他从不接电话；即使在店铺开门时打过去，也只能找到一名店员，说不知道老板去了哪里。"
            "最后一次联系上客户时，他说下周还款，但三个星期过去了，仍未还款。"
        ),
        "example_en": (
            "A customer is 27 days past due. His shop looks closed, though the neighbours say it "
            "still opens now and then. He never answers the phone; even when we call while the "
            "shop is open we only reach an employee who says he does not know where the owner "
            "is. The last time we reached him he said he would pay the following week, but three "
            "weeks have passed and he has not paid."
        ),
        "techniques_zh": (
            "保持电话联系或上门拜访，直到客户同意商谈还款事宜；",
            "向客户说明与我们协商是更好的选择，例如：“我本来可以给你一个更好的还款方案。”",
            "成功要素：自信。",
        ),
        "techniques_en": (
            "Keep calling or visiting until the customer agrees to discuss the loan.",
            "Explain that negotiating with us is the better choice, e.g. “I could have offered "
            "you a better way to repay.”",
            "Key to success: confidence.",
        ),
    },
    {
        "code": "victim",
        "sort_order": 3,
        "name_zh": "受害型",
        "name_en": "Victim",
        "traits_zh": (
            "表现出极度悲痛，一边哭一边诉说现状；无论谈判过程和结果如何，都会夸大自己的困境。"
        ),
        "traits_en": (
            "Shows deep distress and cries while describing the situation; exaggerates the "
            "hardship whatever the course or outcome of the negotiation."
        ),
        "example_zh": (
            "某客户已逾期35天。她已停止经营，也没有找到工作。她一向很谦和，对贷款也很负责，"
            "但至今一分钱都没还。她告诉我们：“我丈夫知道我贷款后非常生气，把钱拿走了。后来"
            "蔬菜全都坏了，我只好关了店。结果店关门期间，小偷又从我这里偷走了很多东西。”"
            "（她边说边哭）"
        ),
        "example_en": (
            "A customer is 35 days past due. She has stopped trading and has not found a job. She "
            "has always been modest and responsible about the loan, but has not repaid anything "
            "yet. She told us: “When my husband found out about the loan he was furious and took "
            "the money. Then all the vegetables went bad and I had to close my shop. And while "
            "the shop was closed, thieves stole a lot from me.” (She cried as she spoke.)"
        ),
        "techniques_zh": (
            "等客户冷静下来，再向他/她说明情况；",
            "对客户目前的困难表示同情和理解；",
            "客户感到被理解之后，通常更容易接受自己的责任；",
            "把重点转回还款，给他/她多种还款选择。",
        ),
        "techniques_en": (
            "Wait until the customer has calmed down, then explain the situation.",
            "Show sympathy for and understanding of the customer's present difficulties.",
            "Once understood, the customer usually accepts his or her responsibility more easily.",
            "Bring the talk back to repayment and offer several ways to repay.",
        ),
    },
    {
        "code": "self_assured",
        "sort_order": 4,
        "name_zh": "自信型",
        "name_en": "Self-assured",
        "traits_zh": (
            "固执，有点强势、粗鲁，自以为聪明能干；并不了解情况，却似乎知道诉讼的意义和后果，"
            "表现得毫不害怕、毫不在乎。"
        ),
        "traits_en": (
            "Stubborn, somewhat domineering and rude, thinks himself clever and capable; does not "
            "really know the facts, yet seems to know what a lawsuit means and shows no fear or "
            "concern at all."
        ),
        "example_zh": (
            "某客户逾期15天。信贷员拜访过她，但目前很难与她达成协议。她生气地说：“我申请的"
            "金额被你们审贷会大大砍掉了。虽然还是拿到了贷款，但对我一点帮助都没有，我错过了"
            "一个很好的商机，这就是我现在这种状况的原因。我现在没有足够的钱还分期，这不只是"
            "我的错。而且我离逾期30天还远着呢，你们为什么这么大惊小怪？你们得带律师来，反正"
            "我今天没钱交，你们也不能把我怎么样！”"
        ),
        "example_en": (
            "A customer is 15 days past due. The loan officer has visited her, but it is hard to "
            "reach an agreement. She said angrily: “Your credit committee cut the amount I asked "
            "for drastically. I still got a loan, but it was no help to me at all, and I missed a "
            "good business opportunity; that is why I am in this situation. I don't have enough "
            "money for the installment now, and it is not only my fault. Besides, I am far from "
            "30 days late, so why all the fuss? You would have to bring a lawyer. I have no money "
            "to pay today anyway, and you can't touch me!”"
        ),
        "techniques_zh": (
            "态度非常坚定，表现出对程序及其意义的充分了解；",
            "提出有力的论据和事实；",
            "不要被客户吓倒；",
            "引导对话，为客户提供替代的还款方案。",
        ),
        "techniques_en": (
            "Be very firm and show full understanding of the procedure and what it means.",
            "Put forward strong arguments and facts.",
            "Do not let the customer intimidate you.",
            "Lead the conversation and offer the customer an alternative repayment plan.",
        ),
    },
    {
        "code": "stubborn",
        "sort_order": 5,
        "name_zh": "固执型",
        "name_en": "Stubborn",
        "traits_zh": (
            "总是说“我还不起”“我不会还”“如果我说我会还，那一定是在撒谎”之类的话；"
            "根本不听你的意见和方案，只坚持自己的主张。"
        ),
        "traits_en": (
            "Keeps saying “I can't pay”, “I won't pay”, “if I told you I'd pay, I'd be lying”; "
            "does not listen to you or your options at all and only insists on his own proposal."
        ),
        "example_zh": (
            "某客户逾期25天，在此期间似乎没有希望与他达成协议。他说：“我已经跟你说了，我还"
            "不了，等我筹到钱就还。现在不管你怎么逼我，我都不会有钱。最近生意不好，我也不敢"
            "保证什么。如果你站在我的角度想一想，就知道这有多难。我说过，等我有钱了就会还。"
            "我不明白你为什么还要一直催。”"
        ),
        "example_en": (
            "A customer is 25 days past due, and all this time there has seemed to be no hope of "
            "an agreement. He said: “I've told you already, I can't pay; I'll pay when I've "
            "raised the money. However hard you push me, I won't have any money now. Business has "
            "been bad lately and I can't promise anything. If you put yourself in my place you'd "
            "see how hard it is. I said I'd pay when I have the money. I don't see why you keep "
            "insisting.”"
        ),
        "techniques_zh": (
            "要有耐心；",
            "听完他的解释，再解释一遍为什么政策很严格、为什么他必须遵守；",
            "花时间告诉他按时还款的好处，以及各种还款方式；",
            "强调还款流程和按时还款的好处，及时提出你的建议，确保由你主导谈话；",
            "最终，你的坚持和专业会解决问题。",
        ),
        "techniques_en": (
            "Be patient.",
            "Hear the explanation out, then explain again why the policy is strict and why he "
            "has to follow it.",
            "Take time to tell him the benefits of paying on time and the ways he can pay.",
            "Stress the repayment process and the benefits of paying on time, make your "
            "proposal in good time, and keep the lead in the conversation.",
            "In the end your persistence and professionalism will settle it.",
        ),
    },
    {
        "code": "sophisticated",
        "sort_order": 6,
        "name_zh": "世故型",
        "name_en": "Sophisticated",
        "traits_zh": (
            "通常来自中产或中上阶层；非常友好，受过良好教育，喜欢炫耀自己的社会关系和资产；"
            "不怕任何法律手段，懂一些金融和法律术语；自我感觉良好，认为自己比信贷员懂得多。"
        ),
        "traits_en": (
            "Usually middle or upper-middle class; very friendly and well educated, likes to show "
            "off connections and assets; not afraid of any legal step and knows some financial "
            "and legal terms; pleased with himself and sure he knows more than the loan officer."
        ),
        "example_zh": (
            "某客户已逾期8天。信贷员打完电话后又上门拜访，客户却告诉他：“你看，我说了会还，"
            "你不用担心。罚息我也会交，其他的我都会交，只是现在周转有些问题。我的库存已经"
            "过季，没能按计划周转；毛利下降影响了利润，我一直在努力避免资金流失。我可能要到"
            "下个月才能还，但我会一次付清。”"
        ),
        "example_en": (
            "A customer is 8 days past due. After calling, the loan officer visited, and the "
            "customer told him: “Look, I said I'll pay, don't worry. I'll pay the penalty too, "
            "and everything else, but right now I have a cash-flow problem. My stock is out of "
            "season and didn't turn over as planned; falling gross margins hit my profit, and "
            "I've been working hard to stop money draining away. I may not be able to pay until "
            "next month, but then I'll pay it all at once.”"
        ),
        "techniques_zh": (
            "表现出对法律手段的程序和意义的熟悉；",
            "持之以恒，保持友好的态度；",
            "不理会他粗鲁的态度和带有敌意的肢体语言；",
            "保持专业，尽量通过可行的方案让客户还款。",
        ),
        "techniques_en": (
            "Show that you know the legal procedures and what they mean.",
            "Persevere and stay friendly.",
            "Ignore rudeness and hostile body language.",
            "Stay professional and get the customer to repay through a workable plan.",
        ),
    },
    {
        "code": "serial_promiser",
        "sort_order": 7,
        "name_zh": "保证还款型",
        "name_en": "Serial promiser",
        "traits_zh": (
            "非常友好，善于沟通，总是做出保证，但根本不在乎自己承诺过什么，很难信守承诺。"
        ),
        "traits_en": (
            "Very friendly and easy to talk to, always gives assurances, but does not care what "
            "he has promised and rarely keeps a promise."
        ),
        "example_zh": (
            "某客户已逾期10天，信贷员上门三次，三次都已过了他承诺的还款日。客户从不守信，这次"
            "他又说：“真的很抱歉。今天才发现合伙人没有还我钱，他拿钱去买了更多布料做生意。"
            "我只需要三天就能筹到钱。请再给我一点时间，下周四我一定还清。”"
        ),
        "example_en": (
            "A customer is 10 days past due; the loan officer has visited three times, each time "
            "after the date he had promised to pay. He has never kept his word, and this time he "
            "said: “I'm really sorry. I only found out today that my partner hasn't paid me back; "
            "he spent the money on more cloth for the business. I only need three days to raise "
            "the money. Please give me a little more time, I'll pay it all next Thursday.”"
        ),
        "techniques_zh": (
            "先听客户的解释，了解爽约的原因，不要妄下结论，也不要过度对待客户；",
            "告知客户每一次爽约都会产生信用负面记录和扣款失败费；",
            "耐心倾听，巧妙沟通，让客户说出真实原因、还款时间和金额；",
            "告诉他履行还款承诺的重要性；",
            "强调不守信用的严重后果；",
            "用行动证明你对催收是绝对认真的。",
        ),
        "techniques_en": (
            "Hear the customer's explanation and find out why the promise was broken; do not "
            "jump to conclusions or treat the customer harshly.",
            "Tell the customer that every broken promise leads to a negative credit record and "
            "a failed-deduction fee.",
            "Listen patiently and talk skilfully so the customer tells you the real reason, the "
            "date and the amount he will pay.",
            "Tell him how important it is to keep a promise to pay.",
            "Stress the serious consequences of breaking his word.",
            "Show by your actions that you are absolutely serious about collecting.",
        ),
    },
    {
        "code": "other",
        "sort_order": 8,
        "name_zh": "其他",
        "name_en": "Other",
        "traits_zh": (
            "种子资料中第八种类型的名称被隐去（“* * *”）。用于不属于以上各类型的客户；"
            "主管可以另行定义新的类型。"
        ),
        "traits_en": (
            "The seed blanks out the name of the eighth type (“* * *”). For customers who fit "
            "none of the types above; managers can define new types."
        ),
        "example_zh": "种子资料没有示例：记录客户的实际表现，由主管判断是否需要新增类型。",
        "example_en": (
            "The seed gives no example: record what the customer actually does, and let a "
            "manager decide whether a new type is needed."
        ),
        "techniques_zh": (
            "先找出违约原因（疏忽、不满或争议、资金不足、故意、死亡、失联、欺诈或冒用身份），"
            "再按原因选择催收策略；",
            "参照一般催收建议。",
        ),
        "techniques_en": (
            "First find the reason for the default (negligence, dissatisfaction or dispute, lack "
            "of funds, intent, death, unreachable, fraud or misuse of an ID), then choose the "
            "strategy by that reason.",
            "Follow the general collection advice.",
        ),
    },
)

# The seed's general advice (sections 1 and 4), shown beside every playbook.
GENERAL_ADVICE: tuple[DebtorType, ...] = (
    {
        "code": "reason_first",
        "zh": "采取行动之前，先找出违约的原因：是疏忽、对产品不满、资金不足还是故意，"
        "根据不同情况采取不同的催收策略。",
        "en": "Before acting, find out why the borrower defaulted — negligence, dissatisfaction "
        "with the product, lack of funds or intent — and choose the strategy by the reason.",
    },
    {
        "code": "listen_to_broken_promises",
        "zh": "客户承诺还款却屡次失信时，先听客户解释、了解毁约原因，不要妄下结论、过度对待客户；"
        "这类客户多数仍有还款诚意。",
        "en": "When a customer keeps breaking promises to pay, hear the explanation and find the "
        "reason first; do not jump to conclusions or treat the customer harshly — most of them "
        "still mean to pay.",
    },
    {
        "code": "separate_complaint",
        "zh": "客户因投诉（售前、审批额度、公司或催收态度）而不愿还款时，先安抚情绪，"
        "帮他分清投诉和还款；对恶意不还款的客户，可以说明拒绝还款的法律后果。",
        "en": "When a customer will not pay because of a complaint (about the sale, the approved "
        "amount, the company or the collector's manner), calm the customer first and help him "
        "keep the complaint apart from the repayment; tell willful non-payers the legal "
        "consequences of refusing to pay.",
    },
    {
        "code": "verify_death",
        "zh": "客户被报称死亡时，先核实真伪：从联系人、工作单位、亲友、地址、电话等方面了解情况，"
        "核实相关机构的信息，并了解关联方是否愿意代位清偿。",
        "en": "When a customer is reported dead, verify it first through contacts, employer, "
        "relatives and friends, address and phone, check with the institutions concerned, and "
        "find out whether a related party will repay in the borrower's place.",
    },
    {
        "code": "frequent_contact",
        "zh": "频繁联系和拜访很重要：持续的电话联系和上门拜访让逾期客户明白逾期不可行，"
        "时刻感受到催收的压力，一有钱就先用来还款（在联系时间和频次规定之内）。",
        "en": "Frequent contact and visits matter: steady calls and visits make overdue customers "
        "understand that staying overdue is not an option and feel the pressure to pay, so they "
        "repay as soon as they have money (within the contact-hour and frequency rules).",
    },
    {
        "code": "be_direct",
        "zh": "催款要直截了当：催款不是丢人的事，直言不讳，不必道歉，不要拐弯抹角。",
        "en": "Be direct: asking for payment is nothing to be ashamed of; say it plainly, do not "
        "apologise and do not beat about the bush.",
    },
    {
        "code": "original_contact",
        "zh": "直接找最初的联系人，不要让客户互相推诿、牵着鼻子走。",
        "en": "Go straight to the person you first dealt with; do not let the customer pass you "
        "around or lead you by the nose.",
    },
    {
        "code": "no_excess",
        "zh": "不要做出过激行为：催款时发脾气、发泄甚至做出过激行为都不可取；"
        "一旦撕破脸，收款只会越来越难。",
        "en": "No excessive behaviour: losing your temper, venting or going too far never helps; "
        "once relations break down, collecting only gets harder.",
    },
    {
        "code": "do_not_fear_asking",
        "zh": "不要因为怕失去客户而不敢催款；只要技巧得当，催收也是一次与客户沟通的机会。",
        "en": "Do not avoid asking for fear of losing the customer; with the right skills a "
        "collection call is also a chance to talk with the customer.",
    },
    {
        "code": "credit_hold",
        "zh": "当机立断，及时停止供货（停止新的授信），尤其是面对“不供货就不付款”的威胁。",
        "en": "Decide quickly and stop supplying (no new credit) in time, especially against the "
        "threat “no more supply, no payment”.",
    },
    {
        "code": "age_matters",
        "zh": "坚持定期催收，时间越长越难收回：难易程度取决于账龄而不是金额；"
        "两年以内的欠款80%可以收回，两年以上的只有20%。",
        "en": "Collect regularly; the longer a debt runs, the harder it is: difficulty depends on "
        "the age of the account, not its amount — 80% of debts under two years old can be "
        "recovered, only 20% of older ones.",
    },
    {
        "code": "full_payment_first",
        "zh": "先要求全额还款：经验证明应当要求全额付款；拿到一点总比没有好，但能多收回更好。",
        "en": "Ask for payment in full first: experience shows you should ask for the full "
        "amount; a little is better than nothing, but more is better still.",
    },
    {
        "code": "be_first_paid",
        "zh": "争取优先受偿：客户只要还在经营，就一定在向别人付款；与客户保持长期良好关系的一方"
        "通常最先拿到钱。",
        "en": "Aim to be paid first: while a customer still trades he is paying someone; those "
        "with a long, good relationship with him are usually paid first.",
    },
    {
        "code": "persevere",
        "zh": "催收要有韧性、有礼貌：这是一项长期而艰巨的工作，要保持耐心和诚意，"
        "看到一丝希望就不要错过机会。",
        "en": "Be persistent and courteous: collection is long, hard work; stay patient and "
        "sincere, and do not miss a chance when you see one.",
    },
    {
        "code": "escalate",
        "zh": "催收困难时，可以委托有资质的专业催收机构；仍然不行的，诉诸法律。",
        "en": "When collection is hard, place the case with a qualified collection agency; if "
        "that fails too, go to law.",
    },
)

TYPE_CODES: tuple[str, ...] = tuple(t["code"] for t in DEBTOR_TYPES)


def debtor_type(code: str) -> DebtorType:
    """The seed entry for `code`; KeyError names the known codes."""
    for entry in DEBTOR_TYPES:
        if entry["code"] == code:
            return entry
    raise KeyError(f"unknown debtor type {code!r}; known: {', '.join(TYPE_CODES)}")
