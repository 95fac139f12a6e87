SELECT table_name FROM information_schema.views
WHERE table_schema = current_schema()
  AND table_name IN ({% for t in tables %}{{ t | literal }}{{ ", " if not loop.last }}{% endfor %})
