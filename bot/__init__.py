"""antipestbot: a school's anti-bullying protocol as a chatbot."""
